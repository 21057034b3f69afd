namespace Cms.Migrations.Sql;

// The search vector may be computed before the row is written (issue 23 Build 6, third pass):
// the importer computes a batch's vectors on a second connection, on the second core, while the
// previous batch is written, and COPYs them in; until now the COPY's own backend computed every
// vector, single-threaded, and the vector was 54% of what the schema costs a COPY.
// - item_search_vector(title, excerpt): the vector, the generated column's expression unchanged
//   (the same dictionaries, the same result).
// - search_vector is a plain column now (DROP EXPRESSION keeps every stored value, no rewrite),
//   kept by a BEFORE INSERT / UPDATE trigger: a row gets item_search_vector of its own text unless
//   it supplies a vector sealed for exactly that text; an UPDATE that changes the text or the
//   vector without such a seal gets it computed again; any other UPDATE keeps it. So no writer
//   (an editor's save, a revision applied, an import update, raw SQL) can store a vector that
//   disagrees with its text.
// - The seal: search_vectors(titles, excerpts) (SECURITY DEFINER) returns each text's vector and
//   sha256(key || sha256(text) || the vector's binary form), where the key is random per database
//   and readable only by the owner (schema cms_private; the app's role has no usage of it). The
//   vector depends on title and excerpt only through `title || ' ' || excerpt`, which is what is
//   hashed. The trigger checks a supplied seal with search_vector_sealed (SECURITY DEFINER, a yes
//   or no) and clears search_vector_seal, which is never stored.
// The literal SQL is repeated from ItemConfiguration on purpose: a landed migration must not
// change when the model does.
public static class SearchVectorSealSql
{
    public const string Up = """
        CREATE FUNCTION item_search_vector(title text, excerpt text) RETURNS tsvector
          LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
          SELECT (CASE WHEN coalesce(title, '') || ' ' || coalesce(excerpt, '') ~ '[\u0400-\u04FF]'
              THEN to_tsvector('russian_folded', coalesce(title, '') || ' ' || coalesce(excerpt, ''))
              ELSE to_tsvector('english_folded', coalesce(title, '') || ' ' || coalesce(excerpt, '')) END)
            || to_tsvector('simple_folded', coalesce(title, '') || ' ' || coalesce(excerpt, ''))
            || (CASE WHEN coalesce(title, '') || ' ' || coalesce(excerpt, '') ~ '[\u0621-\u064A]' THEN to_tsvector('arabic', regexp_replace(regexp_replace(coalesce(title, '') || ' ' || coalesce(excerpt, ''), '[^\u0621-\u064A]+', ' ', 'g'), '(^| )(?:[\u0648\u0641]?(?:\u0628\u0627\u0644|\u0643\u0627\u0644|\u0644\u0644|\u0627\u0644|[\u0628\u0643\u0644])|[\u0648\u0641])(?=[\u0621-\u064A]{3})', '\1', 'g')) ELSE ''::tsvector END)
          $fn$;

        CREATE SCHEMA cms_private;
        REVOKE ALL ON SCHEMA cms_private FROM PUBLIC;
        CREATE TABLE cms_private.search_vector_key (key bytea NOT NULL);
        INSERT INTO cms_private.search_vector_key SELECT uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid());

        CREATE FUNCTION cms_private.search_vector_seal(key bytea, text text, vector tsvector) RETURNS bytea
          LANGUAGE sql STABLE AS $fn$
          SELECT sha256(key || sha256(convert_to(text, 'UTF8')) || tsvectorsend(vector))
          $fn$;

        CREATE FUNCTION search_vectors(titles text[], excerpts text[]) RETURNS TABLE (vector tsvector, seal bytea)
          LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
          SELECT v, cms_private.search_vector_seal(k.key, coalesce(t, '') || ' ' || coalesce(e, ''), v)
          FROM (SELECT t, e, o, public.item_search_vector(t, e) AS v
                FROM unnest(titles, excerpts) WITH ORDINALITY AS u(t, e, o) OFFSET 0) s
          CROSS JOIN cms_private.search_vector_key k
          ORDER BY o
          $fn$;

        -- PL/pgSQL, so that its query plans are kept for the session: a SQL function that is not
        -- inlined is planned again at each row of a COPY (measured: twice the cost).
        CREATE FUNCTION search_vector_sealed(title text, excerpt text, vector tsvector, seal bytea) RETURNS boolean
          LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
          DECLARE k bytea;
          BEGIN
            IF seal IS NULL OR vector IS NULL THEN
              RETURN false;
            END IF;
            SELECT key INTO k FROM cms_private.search_vector_key;
            RETURN seal = cms_private.search_vector_seal(k, coalesce(title, '') || ' ' || coalesce(excerpt, ''), vector);
          END
          $fn$;

        -- A database whose column is already plain (a benchmark store filled without vectors) keeps it.
        DO $do$ BEGIN
          IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'search_vector' AND attgenerated = 's') THEN
            ALTER TABLE items ALTER COLUMN search_vector DROP EXPRESSION;
          END IF;
        END $do$;
        ALTER TABLE items ADD COLUMN search_vector_seal bytea;

        CREATE FUNCTION items_search_vector() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
          IF NEW.search_vector_seal IS NOT NULL AND search_vector_sealed(NEW.title, NEW.excerpt, NEW.search_vector, NEW.search_vector_seal) THEN
            NULL;
          ELSIF TG_OP = 'UPDATE' AND NEW.title IS NOT DISTINCT FROM OLD.title AND NEW.excerpt IS NOT DISTINCT FROM OLD.excerpt
                AND NEW.search_vector IS NOT DISTINCT FROM OLD.search_vector THEN
            NULL;
          ELSE
            NEW.search_vector := item_search_vector(NEW.title, NEW.excerpt);
          END IF;
          NEW.search_vector_seal := NULL;
          RETURN NEW;
        END
        $fn$;
        CREATE TRIGGER items_search_vector_insert BEFORE INSERT ON items
          FOR EACH ROW EXECUTE FUNCTION items_search_vector();
        CREATE TRIGGER items_search_vector_update BEFORE UPDATE OF title, excerpt, search_vector, search_vector_seal ON items
          FOR EACH ROW EXECUTE FUNCTION items_search_vector();
        """;

    // Back to the generated column as ImportSearchLanguage made it (its Up drops the column first).
    public const string Down = """
        DROP TRIGGER items_search_vector_update ON items;
        DROP TRIGGER items_search_vector_insert ON items;
        DROP FUNCTION items_search_vector();
        ALTER TABLE items DROP COLUMN search_vector_seal;
        DROP FUNCTION search_vector_sealed(text, text, tsvector, bytea);
        DROP FUNCTION search_vectors(text[], text[]);
        DROP SCHEMA cms_private CASCADE;
        DROP FUNCTION item_search_vector(text, text);
        """ + SearchLanguageSql.Up;
}
