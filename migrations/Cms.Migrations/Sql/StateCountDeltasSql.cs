namespace Cms.Migrations.Sql;

// The per-state item counts without a shared row to wait on (ItemStateCountDelta): the statement
// triggers on items append one delta per state a statement changed, instead of updating that
// state's row in item_state_counts and holding its lock to commit. Same triggers, same transition
// tables; only the target changes.
public static class StateCountDeltasSql
{
    public const string Up = """
        CREATE OR REPLACE FUNCTION items_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO item_state_count_deltas (state, delta) SELECT state, count(*) FROM new_rows GROUP BY state;
          RETURN NULL;
        END $$;

        CREATE OR REPLACE FUNCTION items_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO item_state_count_deltas (state, delta) SELECT state, -count(*) FROM old_rows GROUP BY state;
          RETURN NULL;
        END $$;

        CREATE OR REPLACE FUNCTION items_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO item_state_count_deltas (state, delta)
          SELECT state, sum(delta) FROM (
            SELECT state, 1 AS delta FROM new_rows
            UNION ALL
            SELECT state, -1 FROM old_rows) moves
          GROUP BY state HAVING sum(delta) <> 0;
          RETURN NULL;
        END $$;
        """;

    public const string Down = """
        INSERT INTO item_state_counts (state, count) SELECT state, sum(delta) FROM item_state_count_deltas GROUP BY state
          ON CONFLICT (state) DO UPDATE SET count = item_state_counts.count + excluded.count;

        CREATE OR REPLACE FUNCTION items_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO item_state_counts (state, count)
          SELECT state, count(*) FROM new_rows GROUP BY state
          ON CONFLICT (state) DO UPDATE SET count = item_state_counts.count + excluded.count;
          RETURN NULL;
        END $$;

        CREATE OR REPLACE FUNCTION items_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO item_state_counts (state, count)
          SELECT state, -count(*) FROM old_rows GROUP BY state
          ON CONFLICT (state) DO UPDATE SET count = item_state_counts.count + excluded.count;
          RETURN NULL;
        END $$;

        CREATE OR REPLACE FUNCTION items_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO item_state_counts (state, count)
          SELECT state, sum(delta) FROM (
            SELECT state, 1 AS delta FROM new_rows
            UNION ALL
            SELECT state, -1 FROM old_rows) moves
          GROUP BY state HAVING sum(delta) <> 0
          ON CONFLICT (state) DO UPDATE SET count = item_state_counts.count + excluded.count;
          RETURN NULL;
        END $$;
        """;
}
