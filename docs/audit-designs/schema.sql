DROP TABLE IF EXISTS items, audit, bodies CASCADE;
CREATE TABLE bodies AS SELECT g AS id, (SELECT string_agg(md5(g::text || i::text), ' ') FROM generate_series(1,150) i) AS body FROM generate_series(1,1000) g;
DROP FUNCTION IF EXISTS chain_now() CASCADE; DROP FUNCTION IF EXISTS chain_at_commit() CASCADE; DROP FUNCTION IF EXISTS audit_seal(int) CASCADE;
CREATE TABLE items (id bigserial primary key, title text, body text, quality int,
  sv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED);
CREATE INDEX ON items USING gin(sv);
CREATE TABLE audit (id bigserial primary key, seq bigint unique, at timestamptz default now(), actor text, action text,
  entity_id text, payload text not null, prev_hash char(64), hash char(64));
CREATE INDEX ON audit(at); CREATE INDEX ON audit(entity_id, seq); CREATE INDEX ON audit(actor, seq); CREATE INDEX ON audit(action, seq);
CREATE INDEX audit_unsealed ON audit(id) WHERE seq IS NULL;
INSERT INTO items (title, body, quality) SELECT 'seed', (SELECT string_agg(md5(g::text || i::text), ' ') FROM generate_series(1,150) i), 1 FROM generate_series(1,10000) g;

-- D1: today's trigger (lock + chain at insert)
CREATE FUNCTION chain_now() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE last_seq bigint; last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(42);
  SELECT seq, hash INTO last_seq, last_hash FROM audit WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
  NEW.seq := coalesce(last_seq, 0) + 1;
  NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
  NEW.hash := encode(sha256(convert_to(NEW.prev_hash || E'\n' || NEW.payload, 'UTF8')), 'hex');
  RETURN NEW;
END $$;

-- D2: deferred to commit: the first firing in a transaction chains all of its rows.
CREATE FUNCTION chain_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE last_seq bigint; last_hash text; r record;
BEGIN
  IF current_setting('cms.chained', true) = txid_current()::text THEN RETURN NULL; END IF;
  PERFORM set_config('cms.chained', txid_current()::text, true);
  PERFORM pg_advisory_xact_lock(42);
  SELECT seq, hash INTO last_seq, last_hash FROM audit WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
  last_seq := coalesce(last_seq, 0); last_hash := coalesce(last_hash, repeat('0', 64));
  FOR r IN SELECT id, payload FROM audit WHERE seq IS NULL AND xmin::text::bigint = (txid_current() % 4294967296) ORDER BY id LOOP
    last_seq := last_seq + 1;
    UPDATE audit SET seq = last_seq, prev_hash = last_hash,
      hash = encode(sha256(convert_to(last_hash || E'\n' || r.payload, 'UTF8')), 'hex') WHERE id = r.id
      RETURNING hash INTO last_hash;
  END LOOP;
  RETURN NULL;
END $$;

-- D3: a sealer seals what has committed, in id order.
CREATE FUNCTION audit_seal(max_rows int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE last_seq bigint; last_hash text; r record; n int := 0;
BEGIN
  IF NOT pg_try_advisory_xact_lock(43) THEN RETURN 0; END IF;
  SELECT seq, hash INTO last_seq, last_hash FROM audit WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
  last_seq := coalesce(last_seq, 0); last_hash := coalesce(last_hash, repeat('0', 64));
  FOR r IN SELECT id, payload FROM audit WHERE seq IS NULL ORDER BY id LIMIT max_rows LOOP
    last_seq := last_seq + 1;
    UPDATE audit SET seq = last_seq, prev_hash = last_hash,
      hash = encode(sha256(convert_to(last_hash || E'\n' || r.payload, 'UTF8')), 'hex') WHERE id = r.id
      RETURNING hash INTO last_hash;
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;
