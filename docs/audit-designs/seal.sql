SELECT audit_seal(20000);
\sleep 100 ms
