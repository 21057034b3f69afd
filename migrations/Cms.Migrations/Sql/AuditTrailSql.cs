namespace Cms.Migrations.Sql;

// Hand-written SQL of the publish workflow and audit trail migration. The migration calls
// UpBefore first and Up last (Down: DownBefore first, Down last), around EF's schema operations.
//
// - Chain: a BEFORE INSERT trigger takes the transaction-level advisory lock
//   AuditChain.LockKey (0x636d735f617564), reads the previous event by seq (assigned here, after
//   the lock, not the identity id, which is drawn before it), and sets seq, prev_hash and
//   hash = sha256(prev_hash || '\n' || payload). The lock is held to commit, so chain order is commit
//   order for every writer. The importer's COPY takes the same lock, reads the head and sends rows
//   already chained; the trigger leaves rows that come with a hash alone. Audited transactions must run at READ COMMITTED (the default): the
//   SELECT after the lock must see the previous holder's commit; the unique index on seq turns any
//   mistake into an error rather than a fork.
// - Append-only: UPDATE, DELETE and TRUNCATE raise, for every role, the owner included; the
//   privileges go further: PUBLIC and the migrating role (the owner) keep SELECT and INSERT only.
//   An owner can still grant itself more or disable the triggers; that is what the hash chain
//   and `./cms audit verify` are for.
// - Legacy rows (jsonb data, no chain) are moved aside before the schema change and re-inserted
//   through the trigger in id order, so an existing trail is chained from its first event.
public static class AuditTrailSql
{
    public const string UpBefore = """
        CREATE TABLE audit_events_legacy AS SELECT * FROM audit_events;
        DELETE FROM audit_events;
        """;

    public const string Up = """
        -- EF gave the new NOT NULL columns defaults (for existing rows, of which there are none now);
        -- only the chain fills them, and a row without a hash is what the trigger chains.
        ALTER TABLE audit_events ALTER COLUMN payload DROP DEFAULT, ALTER COLUMN seq DROP DEFAULT,
          ALTER COLUMN prev_hash DROP DEFAULT, ALTER COLUMN hash DROP DEFAULT;

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

        CREATE FUNCTION audit_events_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$;

        -- Rows that arrive chained (AuditLog.CopyAsync computes the chain itself under the same lock,
        -- about 10 µs a row cheaper) skip the function; `audit verify` checks every row either way.
        CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events
          FOR EACH ROW WHEN (NEW.hash IS NULL) EXECUTE FUNCTION audit_events_chain();
        CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
          FOR EACH ROW EXECUTE FUNCTION audit_events_refuse();
        CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
          FOR EACH ROW EXECUTE FUNCTION audit_events_refuse();
        CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
          FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse();

        INSERT INTO audit_events (id, at, actor, action, entity_type, entity_id, payload)
        SELECT id, at, actor, action, entity_type, entity_id,
               json_build_object(
                 'v', 1,
                 'at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                 'actorId', NULL::text,
                 'actor', actor,
                 'action', action,
                 'targetType', entity_type,
                 'targetId', entity_id,
                 'ip', NULL::text,
                 'requestId', NULL::text,
                 'data', data)::text
        FROM audit_events_legacy ORDER BY id;
        DROP TABLE audit_events_legacy;

        REVOKE ALL ON audit_events FROM PUBLIC;
        REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_events FROM CURRENT_USER;
        """;

    public const string DownBefore = """
        GRANT ALL ON audit_events TO CURRENT_USER;
        DROP TRIGGER audit_events_chain ON audit_events;
        DROP TRIGGER audit_events_no_update ON audit_events;
        DROP TRIGGER audit_events_no_delete ON audit_events;
        DROP TRIGGER audit_events_no_truncate ON audit_events;
        DROP FUNCTION audit_events_chain();
        DROP FUNCTION audit_events_refuse();
        CREATE TABLE audit_events_legacy AS SELECT id, payload FROM audit_events;
        """;

    public const string Down = """
        UPDATE audit_events e SET data = (l.payload::jsonb) -> 'data'
        FROM audit_events_legacy l WHERE l.id = e.id AND (l.payload::jsonb) -> 'data' <> 'null'::jsonb;
        DROP TABLE audit_events_legacy;
        """;
}
