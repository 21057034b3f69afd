namespace Cms.Migrations.Sql;

// POLISH9: topics stored before the joiner rule (REVIEW7/REVIEW8 #7: ZERO WIDTH NON-JOINER and
// ZERO WIDTH JOINER only where RFC 5892 A.1/A.2 or an RGI emoji ZWJ sequence needs them) and before
// noncharacters were refused (REVIEW8 #2) can still hold such a character: "AI\u200D" drawn as
// "AI", "News\uFDD0" drawn as "News" or with a box. Each is cleaned here: the joiners the rule
// refuses (each judged where it stands in the stored name, as UnicodeText.StripInvisible does) and
// every noncharacter are removed, and the name is cleaned again (CleanName's blanks). A topic whose
// cleaned key another topic has is merged as LookAlikeTopicsSql merges look-alikes: the oldest of
// the group is kept, the items of the others carry it instead (an item holding both keeps one
// link), their rows are touched, the others are deleted; one topic.merged event per merged topic
// and one topic.renamed event per kept topic whose stored name changes, actor "system:name-fold",
// in the migration's transaction. A name with nothing left becomes "Topic #N" (its id). Ready items
// stay Ready: the name is drawn the same. Idempotent: a cleaned name holds nothing the rule refuses.
// The character classes mirror Cms.Core.Text.JoinerContext and UnicodeText's ZWJ sequence tables,
// generated from them with .NET 10's Unicode data (the transparent class is every Mn and Me
// character); RefusedTopicCharactersTests checks the SQL against the C# rule, generates the emoji
// and virama classes from it, and runs it over all 1,468 RGI ZWJ sequences. The landed migration
// CleanRefusedTopicCharacters runs RefusedTopicCharactersSql, left as it landed (REVIEW10 R10-2:
// its EmojiBase lacked U+2640/U+2642); this is the corrected rule RepairFacingRightTopics runs.
public static class TopicJoinerRuleSql
{
    public const string Actor = LookAlikeTopicsSql.Actor;

    // Before the joiner: a virama (A.1/A.2, either joiner).
    public const string Virama = @"\u094D\u09CD\u0A4D\u0ACD\u0B4D\u0BCD\u0C4D\u0CCD\u0D3B-\u0D3C\u0D4D\u0DCA\u0E3A\u0EBA\u0F84\u1039-\u103A\u1714-\u1715\u1734\u17D2\u1A60\u1B44\u1BAA-\u1BAB\u1BF2-\u1BF3\u2D7F\uA806\uA82C\uA8C4\uA953\uA9C0\uAAF6\uABED";

    // ZWNJ between a left- or dual-joining letter and a right- or dual-joining one, with only
    // transparent marks between (A.1).
    private const string JoinsBefore = @"\u0620\u0626\u0628\u062A-\u062E\u0633-\u063F\u0641-\u0647\u0649-\u064A\u066E-\u066F\u0678-\u0687\u069A-\u06BF\u06C1-\u06C2\u06CC\u06CE\u06D0-\u06D1\u06FA-\u06FC\u06FF\u0750-\u0758\u075C-\u076A\u076D-\u0770\u0772\u0775-\u0777\u077A-\u077F\u08A0-\u08A9\u08AD\u08AF-\u08B0\u08B3-\u08B8\u08BA-\u08C8";
    private const string JoinsAfter = @"\u0620\u0622-\u063F\u0641-\u064A\u066E-\u066F\u0671-\u0673\u0675-\u06D3\u06D5\u06EE-\u06EF\u06FA-\u06FC\u06FF\u0750-\u077F\u08A0-\u08C8";
    private const string Transparent = @"\u0300-\u036F\u0483-\u0489\u0591-\u05BD\u05BF\u05C1-\u05C2\u05C4-\u05C5\u05C7\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E4\u06E7-\u06E8\u06EA-\u06ED\u0711\u0730-\u074A\u07A6-\u07B0\u07EB-\u07F3\u07FD\u0816-\u0819\u081B-\u0823\u0825-\u0827\u0829-\u082D\u0859-\u085B\u0897-\u089F\u08CA-\u08E1\u08E3-\u0902\u093A\u093C\u0941-\u0948\u094D\u0951-\u0957\u0962-\u0963\u0981\u09BC\u09C1-\u09C4\u09CD\u09E2-\u09E3\u09FE\u0A01-\u0A02\u0A3C\u0A41-\u0A42\u0A47-\u0A48\u0A4B-\u0A4D\u0A51\u0A70-\u0A71\u0A75\u0A81-\u0A82\u0ABC\u0AC1-\u0AC5\u0AC7-\u0AC8\u0ACD\u0AE2-\u0AE3\u0AFA-\u0AFF\u0B01\u0B3C\u0B3F\u0B41-\u0B44\u0B4D\u0B55-\u0B56\u0B62-\u0B63\u0B82\u0BC0\u0BCD\u0C00\u0C04\u0C3C\u0C3E-\u0C40\u0C46-\u0C48\u0C4A-\u0C4D\u0C55-\u0C56\u0C62-\u0C63\u0C81\u0CBC\u0CBF\u0CC6\u0CCC-\u0CCD\u0CE2-\u0CE3\u0D00-\u0D01\u0D3B-\u0D3C\u0D41-\u0D44\u0D4D\u0D62-\u0D63\u0D81\u0DCA\u0DD2-\u0DD4\u0DD6\u0E31\u0E34-\u0E3A\u0E47-\u0E4E\u0EB1\u0EB4-\u0EBC\u0EC8-\u0ECE\u0F18-\u0F19\u0F35\u0F37\u0F39\u0F71-\u0F7E\u0F80-\u0F84\u0F86-\u0F87\u0F8D-\u0F97\u0F99-\u0FBC\u0FC6\u102D-\u1030\u1032-\u1037\u1039-\u103A\u103D-\u103E\u1058-\u1059\u105E-\u1060\u1071-\u1074\u1082\u1085-\u1086\u108D\u109D\u135D-\u135F\u1712-\u1714\u1732-\u1733\u1752-\u1753\u1772-\u1773\u17B4-\u17B5\u17B7-\u17BD\u17C6\u17C9-\u17D3\u17DD\u180B-\u180D\u180F\u1885-\u1886\u18A9\u1920-\u1922\u1927-\u1928\u1932\u1939-\u193B\u1A17-\u1A18\u1A1B\u1A56\u1A58-\u1A5E\u1A60\u1A62\u1A65-\u1A6C\u1A73-\u1A7C\u1A7F\u1AB0-\u1ACE\u1B00-\u1B03\u1B34\u1B36-\u1B3A\u1B3C\u1B42\u1B6B-\u1B73\u1B80-\u1B81\u1BA2-\u1BA5\u1BA8-\u1BA9\u1BAB-\u1BAD\u1BE6\u1BE8-\u1BE9\u1BED\u1BEF-\u1BF1\u1C2C-\u1C33\u1C36-\u1C37\u1CD0-\u1CD2\u1CD4-\u1CE0\u1CE2-\u1CE8\u1CED\u1CF4\u1CF8-\u1CF9\u1DC0-\u1DFF\u20D0-\u20F0\u2CEF-\u2CF1\u2D7F\u2DE0-\u2DFF\u302A-\u302D\u3099-\u309A\uA66F-\uA672\uA674-\uA67D\uA69E-\uA69F\uA6F0-\uA6F1\uA802\uA806\uA80B\uA825-\uA826\uA82C\uA8C4-\uA8C5\uA8E0-\uA8F1\uA8FF\uA926-\uA92D\uA947-\uA951\uA980-\uA982\uA9B3\uA9B6-\uA9B9\uA9BC-\uA9BD\uA9E5\uAA29-\uAA2E\uAA31-\uAA32\uAA35-\uAA36\uAA43\uAA4C\uAA7C\uAAB0\uAAB2-\uAAB4\uAAB7-\uAAB8\uAABE-\uAABF\uAAC1\uAAEC-\uAAED\uAAF6\uABE5\uABE8\uABED\uFB1E\uFE00-\uFE0F\uFE20-\uFE2F\U000101FD\U000102E0\U00010376-\U0001037A\U00010A01-\U00010A03\U00010A05-\U00010A06\U00010A0C-\U00010A0F\U00010A38-\U00010A3A\U00010A3F\U00010AE5-\U00010AE6\U00010D24-\U00010D27\U00010D69-\U00010D6D\U00010EAB-\U00010EAC\U00010EFC-\U00010EFF\U00010F46-\U00010F50\U00010F82-\U00010F85\U00011001\U00011038-\U00011046\U00011070\U00011073-\U00011074\U0001107F-\U00011081\U000110B3-\U000110B6\U000110B9-\U000110BA\U000110C2\U00011100-\U00011102\U00011127-\U0001112B\U0001112D-\U00011134\U00011173\U00011180-\U00011181\U000111B6-\U000111BE\U000111C9-\U000111CC\U000111CF\U0001122F-\U00011231\U00011234\U00011236-\U00011237\U0001123E\U00011241\U000112DF\U000112E3-\U000112EA\U00011300-\U00011301\U0001133B-\U0001133C\U00011340\U00011366-\U0001136C\U00011370-\U00011374\U000113BB-\U000113C0\U000113CE\U000113D0\U000113D2\U000113E1-\U000113E2\U00011438-\U0001143F\U00011442-\U00011444\U00011446\U0001145E\U000114B3-\U000114B8\U000114BA\U000114BF-\U000114C0\U000114C2-\U000114C3\U000115B2-\U000115B5\U000115BC-\U000115BD\U000115BF-\U000115C0\U000115DC-\U000115DD\U00011633-\U0001163A\U0001163D\U0001163F-\U00011640\U000116AB\U000116AD\U000116B0-\U000116B5\U000116B7\U0001171D\U0001171F\U00011722-\U00011725\U00011727-\U0001172B\U0001182F-\U00011837\U00011839-\U0001183A\U0001193B-\U0001193C\U0001193E\U00011943\U000119D4-\U000119D7\U000119DA-\U000119DB\U000119E0\U00011A01-\U00011A0A\U00011A33-\U00011A38\U00011A3B-\U00011A3E\U00011A47\U00011A51-\U00011A56\U00011A59-\U00011A5B\U00011A8A-\U00011A96\U00011A98-\U00011A99\U00011C30-\U00011C36\U00011C38-\U00011C3D\U00011C3F\U00011C92-\U00011CA7\U00011CAA-\U00011CB0\U00011CB2-\U00011CB3\U00011CB5-\U00011CB6\U00011D31-\U00011D36\U00011D3A\U00011D3C-\U00011D3D\U00011D3F-\U00011D45\U00011D47\U00011D90-\U00011D91\U00011D95\U00011D97\U00011EF3-\U00011EF4\U00011F00-\U00011F01\U00011F36-\U00011F3A\U00011F40\U00011F42\U00011F5A\U00013440\U00013447-\U00013455\U0001611E-\U00016129\U0001612D-\U0001612F\U00016AF0-\U00016AF4\U00016B30-\U00016B36\U00016F4F\U00016F8F-\U00016F92\U00016FE4\U0001BC9D-\U0001BC9E\U0001CF00-\U0001CF2D\U0001CF30-\U0001CF46\U0001D167-\U0001D169\U0001D17B-\U0001D182\U0001D185-\U0001D18B\U0001D1AA-\U0001D1AD\U0001D242-\U0001D244\U0001DA00-\U0001DA36\U0001DA3B-\U0001DA6C\U0001DA75\U0001DA84\U0001DA9B-\U0001DA9F\U0001DAA1-\U0001DAAF\U0001E000-\U0001E006\U0001E008-\U0001E018\U0001E01B-\U0001E021\U0001E023-\U0001E024\U0001E026-\U0001E02A\U0001E08F\U0001E130-\U0001E136\U0001E2AE\U0001E2EC-\U0001E2EF\U0001E4EC-\U0001E4EF\U0001E5EE-\U0001E5EF\U0001E8D0-\U0001E8D6\U0001E944-\U0001E94A\U000E0100-\U000E01EF";

    // ZWJ of an RGI emoji ZWJ sequence: a base (one skin tone and one emoji selector may follow it)
    // and a continuation.
    public const string EmojiBase = @"\u261D\u2640\u2642\u26D3\u26F9\u270A-\u270D\u2764\U0001F344\U0001F34B\U0001F385\U0001F3C2-\U0001F3C4\U0001F3C7\U0001F3CA-\U0001F3CC\U0001F3F3-\U0001F3F4\U0001F408\U0001F415\U0001F426\U0001F43B\U0001F441-\U0001F443\U0001F446-\U0001F450\U0001F466-\U0001F478\U0001F47C\U0001F481-\U0001F483\U0001F485-\U0001F487\U0001F48B\U0001F48F\U0001F491\U0001F4AA\U0001F574-\U0001F575\U0001F57A\U0001F590\U0001F595-\U0001F596\U0001F62E\U0001F635-\U0001F636\U0001F642\U0001F645-\U0001F647\U0001F64B-\U0001F64F\U0001F6A3\U0001F6B4-\U0001F6B6\U0001F6C0\U0001F6CC\U0001F90C\U0001F90F\U0001F918-\U0001F91F\U0001F926\U0001F930-\U0001F939\U0001F93C-\U0001F93E\U0001F977\U0001F9AF\U0001F9B5-\U0001F9B6\U0001F9B8-\U0001F9B9\U0001F9BB-\U0001F9BD\U0001F9CD-\U0001F9CF\U0001F9D1-\U0001F9DF\U0001FAC3-\U0001FAC5\U0001FAF0-\U0001FAF8";
    public const string EmojiContinuation = @"\u2194-\u2195\u2620\u2640\u2642\u2695-\u2696\u26A7\u2708\u2744\u2764\u27A1\u2B1B\U0001F308\U0001F32B\U0001F33E\U0001F373\U0001F37C\U0001F384\U0001F393\U0001F3A4\U0001F3A8\U0001F3EB\U0001F3ED\U0001F466-\U0001F469\U0001F48B\U0001F4A5\U0001F4A8\U0001F4AB\U0001F4BB-\U0001F4BC\U0001F525\U0001F527\U0001F52C\U0001F5E8\U0001F680\U0001F692\U0001F7E9\U0001F7EB\U0001F91D\U0001F9AF-\U0001F9B3\U0001F9BA\U0001F9BC-\U0001F9BD\U0001F9D1-\U0001F9D2\U0001FA79\U0001FAF2";

    private const string Noncharacters = @"\uFDD0-\uFDEF\uFFFE\uFFFF\U0001FFFE-\U0001FFFF\U0002FFFE-\U0002FFFF\U0003FFFE-\U0003FFFF\U0004FFFE-\U0004FFFF\U0005FFFE-\U0005FFFF\U0006FFFE-\U0006FFFF\U0007FFFE-\U0007FFFF\U0008FFFE-\U0008FFFF\U0009FFFE-\U0009FFFF\U000AFFFE-\U000AFFFF\U000BFFFE-\U000BFFFF\U000CFFFE-\U000CFFFF\U000DFFFE-\U000DFFFF\U000EFFFE-\U000EFFFF\U000FFFFE-\U000FFFFF\U0010FFFE-\U0010FFFF";

    // The name with the refused joiners and the noncharacters removed. Noncharacters first become
    // U+FFFF (no class holds it, as no class holds the one it stood for), so U+FDD0 and U+FDD1 can
    // mark the joiners kept while the others are removed.
    public const string StripFunction = $$"""
        CREATE FUNCTION pg_temp.cms_strip_refused(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
          SELECT translate(
                   regexp_replace(
                     regexp_replace(
                       regexp_replace(
                         regexp_replace(
                           regexp_replace(
                             regexp_replace(t, '[{{Noncharacters}}]', U&'\FFFF', 'g'),
                             '([{{Virama}}])\u200C', '\1' || U&'\FDD0', 'g'),
                           '([{{Virama}}])\u200D', '\1' || U&'\FDD1', 'g'),
                         '([{{JoinsBefore}}][{{Transparent}}]*)\u200C(?=[{{Transparent}}]*[{{JoinsAfter}}])', '\1' || U&'\FDD0', 'g'),
                       '([{{EmojiBase}}][\U0001F3FB-\U0001F3FF]?\uFE0F?)\u200D(?=[{{EmojiContinuation}}])', '\1' || U&'\FDD1', 'g'),
                     '[\u200C\u200D\uFFFF]', '', 'g'),
                   U&'\FDD0\FDD1', U&'\200C\200D') $f$;
        """;

    // The temporary functions Clean and Repair use, and their removal.
    private const string Functions = $$"""
        CREATE FUNCTION pg_temp.cms_clean_name(t text) RETURNS text LANGUAGE sql IMMUTABLE AS
        $f$ SELECT btrim(regexp_replace(normalize(t, NFC), '[ \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+', ' ', 'g')) $f$;

        {{StripFunction}}

        CREATE FUNCTION pg_temp.cms_audit(action text, target text, data json) RETURNS void LANGUAGE sql AS
        $f$ INSERT INTO audit_events (at, actor_id, actor, action, entity_type, entity_id, ip, request_id, payload)
            SELECT now(), NULL, '{{Actor}}', action, 'topic', target, NULL, NULL,
                   json_build_object('v', 1, 'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                     'actorId', NULL::text, 'actor', '{{Actor}}', 'action', action, 'targetType', 'topic', 'targetId', target,
                     'ip', NULL::text, 'requestId', NULL::text, 'data', data)::text $f$;
        """;

    private const string DropFunctions = """
        DROP FUNCTION pg_temp.cms_audit(text, text, json);
        DROP FUNCTION pg_temp.cms_strip_refused(text);
        DROP FUNCTION pg_temp.cms_clean_name(text);
        """;

    public const string Clean = $$"""
        {{Functions}}

        -- Every topic with the name and key it ends with (only those holding a joiner or a
        -- noncharacter can change).
        CREATE TEMP TABLE cms_topic_final AS
          SELECT id, name, normalized_name, changed,
                 CASE WHEN changed AND cleaned = '' THEN 'Topic #' || id ELSE cleaned END AS final_name,
                 CASE WHEN changed AND cleaned = '' THEN 'topic #' || id ELSE cleaned_key END AS final_key
          FROM (SELECT id, name, normalized_name, c.cleaned, c.cleaned_key,
                       (c.cleaned <> name OR c.cleaned_key <> normalized_name) AS changed
                FROM topics,
                     LATERAL (SELECT CASE WHEN name ~ '[\u200C\u200D{{Noncharacters}}]' THEN pg_temp.cms_clean_name(pg_temp.cms_strip_refused(name)) ELSE name END AS cleaned,
                                     CASE WHEN normalized_name ~ '[\u200C\u200D{{Noncharacters}}]' THEN pg_temp.cms_clean_name(pg_temp.cms_strip_refused(normalized_name)) ELSE normalized_name END AS cleaned_key) c) x;

        CREATE TEMP TABLE cms_topic_merge AS
          SELECT f.id AS from_id, f.name AS from_name, g.kept AS into_id,
                 (SELECT count(*) FROM item_topics it WHERE it.topic_id = f.id) AS items
          FROM cms_topic_final f
          JOIN (SELECT final_key, min(id) AS kept FROM cms_topic_final GROUP BY final_key HAVING bool_or(changed) AND count(*) > 1) g
            ON g.final_key = f.final_key
          WHERE f.id <> g.kept;

        UPDATE items SET updated_at = now()
        WHERE id IN (SELECT it.item_id FROM item_topics it JOIN cms_topic_merge m ON m.from_id = it.topic_id);
        INSERT INTO item_topics (item_id, topic_id, position)
          SELECT it.item_id, m.into_id, it.position FROM item_topics it JOIN cms_topic_merge m ON m.from_id = it.topic_id
          ON CONFLICT DO NOTHING;
        DELETE FROM item_topics WHERE topic_id IN (SELECT from_id FROM cms_topic_merge);
        DELETE FROM topics WHERE id IN (SELECT from_id FROM cms_topic_merge);

        SELECT pg_temp.cms_audit('topic.renamed', f.id::text, json_build_object('before', f.name, 'after', f.final_name, 'items',
                 (SELECT count(*) FROM item_topics it WHERE it.topic_id = f.id), 'sentBackToNew', 0))
        FROM cms_topic_final f
        WHERE f.changed AND f.final_name <> f.name AND f.id NOT IN (SELECT from_id FROM cms_topic_merge)
        ORDER BY f.id;
        UPDATE topics t SET name = f.final_name, normalized_name = f.final_key
        FROM cms_topic_final f
        WHERE f.id = t.id AND f.changed AND f.id NOT IN (SELECT from_id FROM cms_topic_merge);

        SELECT pg_temp.cms_audit('topic.merged', m.into_id::text, json_build_object('from', m.from_name, 'into', t.name, 'items', m.items, 'sentBackToNew', 0))
        FROM cms_topic_merge m JOIN topics t ON t.id = m.into_id ORDER BY m.from_id;

        DROP TABLE cms_topic_merge;
        DROP TABLE cms_topic_final;
        {{DropFunctions}}
        """;

    // REVIEW10 R10-2: databases that ran the landed migration lost the second joiner of "facing
    // right" gender topics (🚶‍♀️‍➡️ stored as 🚶‍♀️➡️). Each topic.renamed event of this actor whose
    // `before` the corrected rule keeps is undone when the topic still has the name it gave
    // (`after`) and that name with the joiner put back after each gender sign is `before`; the key
    // gets its joiner back the same way. Left as it is when another topic holds that key now (an
    // import of the true name made one since: merging them is an editor's call). One topic.renamed
    // event each, in the migration's transaction. Idempotent: a topic undone no longer has `after`.
    public const string Repair = $$"""
        {{Functions}}

        CREATE FUNCTION pg_temp.cms_rejoin(t text) RETURNS text LANGUAGE sql IMMUTABLE AS
        $f$ SELECT regexp_replace(t, '([\u2640\u2642][\U0001F3FB-\U0001F3FF]?\uFE0F?)(?=[{{EmojiContinuation}}])', '\1' || U&'\200D', 'g') $f$;

        CREATE TEMP TABLE cms_topic_rejoin AS
          SELECT DISTINCT ON (t.id) t.id, t.name AS from_name, e.before AS to_name, pg_temp.cms_rejoin(t.normalized_name) AS to_key, e.id AS event_id
          FROM (SELECT id, entity_id, payload::json -> 'data' ->> 'before' AS before, payload::json -> 'data' ->> 'after' AS after
                FROM audit_events
                WHERE actor = '{{Actor}}' AND action = 'topic.renamed' AND entity_type = 'topic') e
          JOIN topics t ON t.id::text = e.entity_id AND t.name = e.after
          WHERE e.before <> e.after
            AND pg_temp.cms_rejoin(t.name) = e.before
            AND pg_temp.cms_clean_name(pg_temp.cms_strip_refused(e.before)) = e.before
          ORDER BY t.id, e.id DESC;

        DELETE FROM cms_topic_rejoin r
        WHERE EXISTS (SELECT 1 FROM topics o WHERE o.normalized_name = r.to_key AND o.id <> r.id);

        SELECT pg_temp.cms_audit('topic.renamed', r.id::text, json_build_object('before', r.from_name, 'after', r.to_name, 'items',
                 (SELECT count(*) FROM item_topics it WHERE it.topic_id = r.id), 'sentBackToNew', 0, 'undoes', r.event_id))
        FROM cms_topic_rejoin r ORDER BY r.id;
        UPDATE topics t SET name = r.to_name, normalized_name = r.to_key FROM cms_topic_rejoin r WHERE r.id = t.id;

        DROP TABLE cms_topic_rejoin;
        DROP FUNCTION pg_temp.cms_rejoin(text);
        {{DropFunctions}}
        """;
}
