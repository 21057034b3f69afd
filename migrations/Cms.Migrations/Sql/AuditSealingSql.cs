namespace Cms.Migrations.Sql;

// Audit events without a global lock (docs/benchmarks.md, "Audit appends without a lock").
//
// Until this migration every audited transaction took one advisory lock when it began, so every
// write in the system ran one after another. Now writers insert events unsealed (seq, prev_hash and
// hash null) and take no lock; audit_seal() chains committed events afterwards:
//
// - Order. The sealer takes the advisory lock AuditChain.LockKey (only sealers take it), reads the
//   head, and chains the unsealed events it can see, in id order, after the head. Only committed
//   rows are visible to it, and a row is sealed once (a sealed row is immutable), so an event that
//   commits late is sealed in a later round, after everything already sealed: nothing ever slips
//   before a sealed event. Within one round id order follows causality (an event written after
//   another committed has a larger id). Sealers must run at READ COMMITTED, so the head they read
//   after the lock includes the previous sealer's commit; the partial unique index on seq turns
//   any mistake into an error rather than a fork.
// - No waiting. Writers never take the sealer's lock; the sealer updates only rows whose
//   transactions have committed, which nobody else writes, so writers and sealers never wait on
//   each other and no lock cycle can include them.
// - Privileges. audit_seal() runs as the owner (SECURITY DEFINER) and only ever seals; the
//   application's role gets EXECUTE on it and INSERT and SELECT on the table (DatabaseRoles), so it
//   cannot alter, delete, renumber or re-hash anything. The update trigger allows exactly one
//   change: the chain columns of an unsealed event, set once, nothing else.
public static class AuditSealingSql
{
    public const string UpBefore = """
        DROP TRIGGER audit_events_chain ON audit_events;
        DROP FUNCTION audit_events_chain();
        DROP TRIGGER audit_events_no_update ON audit_events;
        """;

    // CREATE TRIGGER needs the TRIGGER privilege, which AuditTrail took from this role too: it is
    // lent for the statements below only.
    public const string Up = """
        GRANT TRIGGER ON audit_events TO CURRENT_USER;
        CREATE FUNCTION audit_events_written_unsealed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit_events: seq, prev_hash and hash are assigned by audit_seal(), not by writers'
            USING ERRCODE = 'insufficient_privilege';
        END $$;

        -- Only offending rows call the function (the WHEN clause costs next to nothing per row).
        CREATE TRIGGER audit_events_unsealed BEFORE INSERT ON audit_events
          FOR EACH ROW WHEN (NEW.seq IS NOT NULL OR NEW.prev_hash IS NOT NULL OR NEW.hash IS NOT NULL)
          EXECUTE FUNCTION audit_events_written_unsealed();

        CREATE FUNCTION audit_events_seal_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF OLD.seq IS NULL AND OLD.prev_hash IS NULL AND OLD.hash IS NULL
             AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.hash IS NOT NULL
             AND (NEW.id, NEW.at, NEW.actor_id, NEW.actor, NEW.action, NEW.entity_type, NEW.entity_id, NEW.ip, NEW.request_id, NEW.payload)
                 IS NOT DISTINCT FROM
                 (OLD.id, OLD.at, OLD.actor_id, OLD.actor, OLD.action, OLD.entity_type, OLD.entity_id, OLD.ip, OLD.request_id, OLD.payload) THEN
            RETURN NEW;
          END IF;
          RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$;

        CREATE TRIGGER audit_events_seal_only BEFORE UPDATE ON audit_events
          FOR EACH ROW EXECUTE FUNCTION audit_events_seal_only();

        -- Hashes are computed here, in the database, so no caller can seal with a made-up hash.
        -- The chain is built in arrays and written by one UPDATE (about 30% cheaper than an UPDATE
        -- per row, measured).
        CREATE FUNCTION audit_seal(max_events integer) RETURNS TABLE (sealed integer, head_seq bigint, head_hash text)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE
          last_seq bigint;
          last_hash text;
          r record;
          ids bigint[] := '{}';
          seqs bigint[] := '{}';
          prevs text[] := '{}';
          hashes text[] := '{}';
        BEGIN
          IF current_setting('transaction_isolation') <> 'read committed' THEN
            RAISE EXCEPTION 'audit_seal() runs at READ COMMITTED: after the lock it must see the previous sealer''s commit';
          END IF;
          PERFORM pg_advisory_xact_lock(27986364983244132);
          SELECT e.seq, e.hash INTO last_seq, last_hash FROM audit_events e WHERE e.seq IS NOT NULL ORDER BY e.seq DESC LIMIT 1;
          last_seq := coalesce(last_seq, 0);
          last_hash := coalesce(last_hash, repeat('0', 64));
          FOR r IN SELECT e.id, e.payload FROM audit_events e WHERE e.seq IS NULL ORDER BY e.id LIMIT greatest(max_events, 0) LOOP
            last_seq := last_seq + 1;
            ids := array_append(ids, r.id);
            seqs := array_append(seqs, last_seq);
            prevs := array_append(prevs, last_hash);
            last_hash := encode(sha256(convert_to(last_hash || E'\n' || r.payload, 'UTF8')), 'hex');
            hashes := array_append(hashes, last_hash);
          END LOOP;
          UPDATE audit_events e SET seq = u.seq, prev_hash = u.prev, hash = u.hash
            FROM unnest(ids, seqs, prevs, hashes) AS u(id, seq, prev, hash) WHERE e.id = u.id;
          sealed := cardinality(ids);
          head_seq := last_seq;
          head_hash := last_hash;
          RETURN NEXT;
        END $$;

        REVOKE ALL ON FUNCTION audit_seal(integer) FROM PUBLIC;
        -- The function runs as this role, which revoked its own UPDATE in AuditTrail: it needs the
        -- chain columns back (the trigger above still allows nothing but sealing).
        GRANT UPDATE (seq, prev_hash, hash) ON audit_events TO CURRENT_USER;
        REVOKE TRIGGER ON audit_events FROM CURRENT_USER;
        """;

    // Back to the lock-at-insert chain: everything is sealed first, so every row has its chain.
    public const string DownBefore = """
        SELECT audit_seal(2147483647);
        DROP FUNCTION audit_seal(integer);
        DROP TRIGGER audit_events_seal_only ON audit_events;
        DROP FUNCTION audit_events_seal_only();
        DROP TRIGGER audit_events_unsealed ON audit_events;
        DROP FUNCTION audit_events_written_unsealed();
        REVOKE UPDATE (seq, prev_hash, hash) ON audit_events FROM CURRENT_USER;
        -- EF fills nulls before SET NOT NULL (an UPDATE of no rows now, but it needs the privilege).
        GRANT UPDATE ON audit_events TO CURRENT_USER;
        """;

    public const string Down = """
        ALTER TABLE audit_events ALTER COLUMN seq DROP DEFAULT, ALTER COLUMN prev_hash DROP DEFAULT, ALTER COLUMN hash DROP DEFAULT;
        GRANT TRIGGER ON audit_events TO CURRENT_USER;
        CREATE FUNCTION audit_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          last_seq bigint;
          last_hash text;
        BEGIN
          PERFORM pg_advisory_xact_lock(27986364983244132);
          SELECT seq, hash INTO last_seq, last_hash FROM audit_events ORDER BY seq DESC LIMIT 1;
          NEW.seq := coalesce(last_seq, 0) + 1;
          NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
          NEW.hash := encode(sha256(convert_to(NEW.prev_hash || E'\n' || NEW.payload, 'UTF8')), 'hex');
          RETURN NEW;
        END $$;
        CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events
          FOR EACH ROW WHEN (NEW.hash IS NULL) EXECUTE FUNCTION audit_events_chain();
        CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
          FOR EACH ROW EXECUTE FUNCTION audit_events_refuse();
        REVOKE UPDATE, TRIGGER ON audit_events FROM CURRENT_USER;
        """;
}
