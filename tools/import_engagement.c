/*
 * import_engagement.c - what others did for the user in LinkedIn's
 * archive: Endorsement_Received_Info.csv and Recommendations_Received.csv,
 * as engagement towards the user.
 *
 * An endorsement is a "like" in (reaction "endorsement"): a small public
 * sign of regard, as a like is; one per endorser and skill. A
 * recommendation is a "mention" in: a public text of theirs about the
 * user. Recommendations carry no URL, so the recommender is matched by
 * name against the connections and skipped when no connection, or more
 * than one, has that name. Neither event carries the text: the user would
 * not quote someone's recommendation back to them in an invitation note.
 */
#include <string.h>
#include <strings.h>

#include "import_linkedin.h"

enum { EN_DATE, EN_SKILL, EN_FIRST, EN_LAST, EN_URL, EN_STATUS };

int li_endorsements(struct li_ctx *c, struct import_stats *s)
{
	static const char *const req[] = { "Endorsement Date", "Endorser Public Url", NULL };
	static const char *const want[] = { "Endorsement Date", "Skill Name", "Endorser First Name",
	                                    "Endorser Last Name", "Endorser Public Url",
	                                    "Endorsement Status", NULL };
	struct import_table t;
	struct buf actor = { 0 }, name = { 0 };
	size_t r;
	int rc = 0;

	s->file = "Endorsement_Received_Info.csv";
	rc = li_table(c, s, req, want, &t);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	for (r = t.header + 1; r < t.nrows && rc == 0; r++) {
		const char *url = import_field(&t, r, EN_URL);
		int64_t ts;
		s->rows++;
		if (strcasecmp(import_field(&t, r, EN_STATUS), "REJECTED") == 0) {
			import_skip(s, "rejected by the user");
			continue;
		}
		if (import_date_parse(import_field(&t, r, EN_DATE), &c->opt->tz, &ts) != 0) {
			import_skip(s, "bad date");
			continue;
		}
		if (import_url_actor(url, strlen(url), &actor) != 0) {
			import_skip(s, "bad profile URL");
			continue;
		}
		li_name(import_field(&t, r, EN_FIRST), import_field(&t, r, EN_LAST), &name);
		{
			struct import_event ev = {
				.ts_ms = ts, .type = "like", .actor = actor.data, .dir_out = 0,
				.name = name.data, .reaction = "endorsement",
				.id = import_id("endorsement", actor.data, import_field(&t, r, EN_SKILL),
				                NULL),
			};
			rc = li_emit(c, s, &ev);
		}
	}
	import_table_free(&t);
	buf_free(&actor);
	buf_free(&name);
	return rc;
}

enum { RE_FIRST, RE_LAST, RE_DATE };

int li_recommendations(struct li_ctx *c, struct import_stats *s)
{
	static const char *const req[] = { "First Name", "Last Name", "Creation Date", NULL };
	static const char *const want[] = { "First Name", "Last Name", "Creation Date", NULL };
	struct import_table t;
	struct buf name = { 0 };
	size_t r;
	int rc = 0;

	s->file = "Recommendations_Received.csv";
	rc = li_table(c, s, req, want, &t);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	for (r = t.header + 1; r < t.nrows && rc == 0; r++) {
		const char *date = import_field(&t, r, RE_DATE);
		const struct li_conn *conn;
		size_t n;
		int64_t ts, id_ts;
		char tb[IMPORT_ID_MS_LEN];
		s->rows++;
		if (import_date_parse(date, &c->opt->tz, &ts) != 0 || import_date_id_ms(date, &id_ts) != 0) {
			import_skip(s, "bad date");
			continue;
		}
		li_name(import_field(&t, r, RE_FIRST), import_field(&t, r, RE_LAST), &name);
		conn = li_conn_by_name(c, name.data, &n);
		if (conn == NULL) {
			import_skip(s, n == 0 ? "not a connection" : "several connections of that name");
			continue;
		}
		{
			struct import_event ev = {
				.ts_ms = ts, .type = "mention", .actor = conn->actor, .dir_out = 0,
				.name = name.data,
				.id = import_id("recommendation", conn->actor, import_id_ms(id_ts, tb), NULL),
			};
			rc = li_emit(c, s, &ev);
		}
	}
	import_table_free(&t);
	buf_free(&name);
	return rc;
}
