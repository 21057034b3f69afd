namespace Cms.Migrations.Sql;

// The live channel's signals (Cms.Application.Live.LiveSignal), raised by triggers so that every
// path that changes these tables (pages, bulk moves, the importer's COPY, the worker, the command
// line, a session swept at sign-in) announces it, in its own transaction: NOTIFY is delivered at
// commit and never for a rollback. Ids only; identical signals in one transaction are delivered once.
public static class LiveSql
{
    public const string Up = """
        CREATE FUNCTION cms_live_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE r record;
        BEGIN
          IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
          CASE TG_TABLE_NAME
            WHEN 'notifications' THEN
              PERFORM pg_notify('cms_live', 'n:' || r.user_id || ':' || CASE WHEN TG_OP = 'INSERT' THEN r.id ELSE 0 END);
            WHEN 'comments' THEN
              PERFORM pg_notify('cms_live', 'c:' || r.item_id || ':' || r.id);
            WHEN 'items' THEN
              PERFORM pg_notify('cms_live', 'i:' || r.id);
            WHEN 'item_assignments' THEN
              PERFORM pg_notify('cms_live', 'a:' || r.item_id);
            WHEN 'presence' THEN
              PERFORM pg_notify('cms_live', 'p:' || r.item_id);
            WHEN 'user_sessions' THEN
              PERFORM pg_notify('cms_live', 's:' || r.user_id);
          END CASE;
          RETURN NULL;
        END $$;

        CREATE TRIGGER notifications_live AFTER INSERT OR UPDATE OF read_at ON notifications
          FOR EACH ROW EXECUTE FUNCTION cms_live_notify();
        CREATE TRIGGER comments_live AFTER INSERT OR UPDATE ON comments
          FOR EACH ROW EXECUTE FUNCTION cms_live_notify();
        CREATE TRIGGER items_live AFTER UPDATE ON items
          FOR EACH ROW EXECUTE FUNCTION cms_live_notify();
        CREATE TRIGGER item_assignments_live AFTER INSERT OR UPDATE OR DELETE ON item_assignments
          FOR EACH ROW EXECUTE FUNCTION cms_live_notify();
        CREATE TRIGGER presence_live AFTER INSERT OR DELETE ON presence
          FOR EACH ROW EXECUTE FUNCTION cms_live_notify();
        CREATE TRIGGER user_sessions_live AFTER DELETE ON user_sessions
          FOR EACH ROW EXECUTE FUNCTION cms_live_notify();

        -- New items (the importer's COPY is one statement per batch): one signal with the newest id.
        CREATE FUNCTION cms_live_items_arrived() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('cms_live', 'q:' || max(id)) FROM arrived HAVING count(*) > 0;
          RETURN NULL;
        END $$;
        CREATE TRIGGER items_arrived_live AFTER INSERT ON items REFERENCING NEW TABLE AS arrived
          FOR EACH STATEMENT EXECUTE FUNCTION cms_live_items_arrived();
        """;

    public const string Down = """
        DROP TRIGGER IF EXISTS items_arrived_live ON items;
        DROP FUNCTION IF EXISTS cms_live_items_arrived();
        DROP TRIGGER IF EXISTS user_sessions_live ON user_sessions;
        DROP TRIGGER IF EXISTS presence_live ON presence;
        DROP TRIGGER IF EXISTS item_assignments_live ON item_assignments;
        DROP TRIGGER IF EXISTS items_live ON items;
        DROP TRIGGER IF EXISTS comments_live ON comments;
        DROP TRIGGER IF EXISTS notifications_live ON notifications;
        DROP FUNCTION IF EXISTS cms_live_notify();
        """;
}
