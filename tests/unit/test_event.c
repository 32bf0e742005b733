/*
 * test_event.c - the event line parser (daemon/event.c).
 *
 * Most cases are one table, in the sshguard manner: an input line and what
 * must come out of it, either the parsed event rendered as one line of text
 * ("ts=... type=like actor='a1' account='default' ...", only the fields that
 * are present) or "!reason" with a piece of the error detail. In the lines,
 * ' stands for " (rows marked RAW keep it), so that JSON stays readable in
 * C strings. The table runs twice: through one parser, in order, so every
 * row also tests recovery from the rows before it (the yajl handle is
 * reused and replaced after errors), and with a new parser per row. Each
 * line is parsed from a heap copy that is scribbled over and freed before
 * the result is checked: the event must point into the parser, not the line.
 *
 * Behaviour pinned here that the format leaves open:
 * - a UTF-8 byte order mark is not JSON whitespace, so a line starting with
 *   one is not_json;
 * - ts before 1970 is invalid_ts in both forms, like a negative number;
 * - yajl turns a lone high surrogate escape (\ud800) into '?' (some yajl
 *   versions also drop the character after it, so the row ends the string
 *   there); a lone low surrogate (\udc00) would decode to invalid UTF-8 and
 *   is invalid_utf8;
 * - "type" that is not a string is unknown_type; an empty "id" is
 *   invalid_field (it would make all such events duplicates of each other);
 * - yajl accepts \f and \v as whitespace between tokens.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warmth/event.h"
#include "warmth/util.h"

struct row {
	const char *line;   /* ' stands for " unless raw */
	const char *want;   /* the rendered event, or "!reason" */
	const char *detail; /* a substring of event_parser_error(), or NULL */
	size_t len;         /* for lines with NUL bytes; 0: strlen */
	int raw;
};

#define RAW 1

/* Pieces most rows share. */
#define TS "'ts':'2026-11-03T10:00:12.120Z'"
#define W_TS "ts=1793700012120"
#define LIKE TS ",'type':'like','actor':'a1'"
#define W_LIKE W_TS " type=like actor='a1' account='default'"
#define NUL_LINE "{" LIKE ",'text':'nul\0byte'}"

static const struct row test_rows[] = {
	/* valid lines, each field */
	{ "{" LIKE "}", W_LIKE, NULL, 0, 0 },
	{ "{'ts':'2026-11-03T10:00:12.120Z','type':'comment','actor':'urn:li:person:a1234',"
	  "'id':'ev-123','post':'p-77','text':'Great point about remote teams'}",
	  W_TS " type=comment actor='urn:li:person:a1234' account='default' id='ev-123' "
	  "post='p-77' text='Great point about remote teams'", NULL, 0, 0 },
	{ "{" LIKE ",'dir':'out'}", W_TS " type=like actor='a1' dir=out account='default'", NULL, 0, 0 },
	{ "{" LIKE ",'dir':'in'}", W_LIKE, NULL, 0, 0 },
	{ "{" LIKE ",'dir':null}", W_LIKE, NULL, 0, 0 },
	{ "{" LIKE ",'account':'acme'}", W_TS " type=like actor='a1' account='acme'", NULL, 0, 0 },
	{ "{" LIKE ",'account':null}", W_LIKE, NULL, 0, 0 },
	{ "{" LIKE ",'title':'Remote work','reaction':'celebrate'}",
	  W_LIKE " title='Remote work' reaction='celebrate'", NULL, 0, 0 },
	{ "{" LIKE ",'name':'Ana Souza','headline':'CTO at Example'}",
	  W_LIKE " name='Ana Souza' headline='CTO at Example'", NULL, 0, 0 },
	{ "{" LIKE ",'actor_connections':500,'actor_followers':12000}",
	  W_LIKE " actor_connections=500 actor_followers=12000", NULL, 0, 0 },
	{ "{" LIKE ",'actor_followers':12.0,'actor_connections':1e3}",
	  W_LIKE " actor_connections=1000 actor_followers=12", NULL, 0, 0 },
	{ "{" LIKE ",'actor_followers':0}", W_LIKE " actor_followers=0", NULL, 0, 0 },
	{ "{" LIKE ",'creator':true}", W_LIKE " creator=1", NULL, 0, 0 },
	{ "{" LIKE ",'creator':false}", W_LIKE " creator=0", NULL, 0, 0 },
	{ "{" LIKE ",'creator':null,'text':null,'post':null,'actor_followers':null,'tags':null}",
	  W_LIKE, NULL, 0, 0 },
	{ "{" LIKE ",'tags':['client','emea']}", W_LIKE " tags=['client','emea']", NULL, 0, 0 },
	{ "{" LIKE ",'tags':[]}", W_LIKE " tags=[]", NULL, 0, 0 },
	{ "{" LIKE ",'tags':['old'],'tags':['new']}", W_LIKE " tags=['new']", NULL, 0, 0 },
	{ "{" LIKE ",'tags':['a'],'tags':null}", W_LIKE, NULL, 0, 0 },
	{ "{" LIKE ",'tags':[1],'tags':['ok']}", W_LIKE " tags=['ok']", NULL, 0, 0 },
	{ "{" LIKE ",'text':5,'text':'last wins'}", W_LIKE " text='last wins'", NULL, 0, 0 },
	{ "{'ts':1793700012,'type':'snapshot','followers':8000,'connections':2900}",
	  "ts=1793700012000 type=snapshot account='default' followers=8000 connections=2900", NULL, 0, 0 },
	{ "{'ts':1793700012,'type':'snapshot','followers':8000}",
	  "ts=1793700012000 type=snapshot account='default' followers=8000", NULL, 0, 0 },
	{ "{'ts':1793700012,'type':'snapshot','connections':0,'account':'acme'}",
	  "ts=1793700012000 type=snapshot account='acme' connections=0", NULL, 0, 0 },
	{ "{'ts':1793700012,'type':'snapshot','actor':'me','followers':1}",
	  "ts=1793700012000 type=snapshot actor='me' account='default' followers=1", NULL, 0, 0 },
	/* every type */
	{ "{" TS ",'type':'follow','actor':'a1'}", W_TS " type=follow actor='a1' account='default'", NULL, 0, 0 },
	{ "{" TS ",'type':'unfollow','actor':'a1'}", W_TS " type=unfollow actor='a1' account='default'", NULL, 0, 0 },
	{ "{" TS ",'type':'connect','actor':'a1'}", W_TS " type=connect actor='a1' account='default'", NULL, 0, 0 },
	{ "{" TS ",'type':'disconnect','actor':'a1'}",
	  W_TS " type=disconnect actor='a1' account='default'", NULL, 0, 0 },
	{ "{" TS ",'type':'invite_sent','actor':'a1'}",
	  W_TS " type=invite_sent actor='a1' account='default'", NULL, 0, 0 },
	{ "{" TS ",'type':'invite_accepted','actor':'a1'}",
	  W_TS " type=invite_accepted actor='a1' account='default'", NULL, 0, 0 },
	{ "{" TS ",'type':'invite_declined','actor':'a1'}",
	  W_TS " type=invite_declined actor='a1' account='default'", NULL, 0, 0 },
	{ "{" TS ",'type':'invite_withdrawn','actor':'a1'}",
	  W_TS " type=invite_withdrawn actor='a1' account='default'", NULL, 0, 0 },
	{ "{" TS ",'type':'reply','actor':'a1'}", W_TS " type=reply actor='a1' account='default'", NULL, 0, 0 },
	{ "{" TS ",'type':'share','actor':'a1'}", W_TS " type=share actor='a1' account='default'", NULL, 0, 0 },
	{ "{" TS ",'type':'mention','actor':'a1'}", W_TS " type=mention actor='a1' account='default'", NULL, 0, 0 },
	{ "{" TS ",'type':'message','actor':'a1'}", W_TS " type=message actor='a1' account='default'", NULL, 0, 0 },
	{ "{" TS ",'type':'profile_view','actor':'a1'}",
	  W_TS " type=profile_view actor='a1' account='default'", NULL, 0, 0 },
	/* RFC 3339 variants and numeric times */
	{ "{'ts':'2026-11-03T10:00:12Z','type':'like','actor':'a1'}",
	  "ts=1793700012000 type=like actor='a1' account='default'", NULL, 0, 0 },
	{ "{'ts':'2026-11-03T10:00:12.1Z','type':'like','actor':'a1'}",
	  "ts=1793700012100 type=like actor='a1' account='default'", NULL, 0, 0 },
	{ "{'ts':'2026-11-03T10:00:12.123456789Z','type':'like','actor':'a1'}",
	  "ts=1793700012123 type=like actor='a1' account='default'", NULL, 0, 0 },
	{ "{'ts':'2026-11-03T12:00:12.120+02:00','type':'like','actor':'a1'}", W_LIKE, NULL, 0, 0 },
	{ "{'ts':'2026-11-03T04:30:12.120-05:30','type':'like','actor':'a1'}", W_LIKE, NULL, 0, 0 },
	{ "{'ts':'2026-11-03t10:00:12.120z','type':'like','actor':'a1'}", W_LIKE, NULL, 0, 0 },
	{ "{'ts':'2026-11-03 10:00:12.120Z','type':'like','actor':'a1'}", W_LIKE, NULL, 0, 0 },
	{ "{'ts':'2024-02-29T00:00:00Z','type':'like','actor':'a1'}",
	  "ts=1709164800000 type=like actor='a1' account='default'", NULL, 0, 0 },
	{ "{'ts':'1970-01-01T00:00:00Z','type':'like','actor':'a1'}",
	  "ts=0 type=like actor='a1' account='default'", NULL, 0, 0 },
	{ "{'ts':'9999-12-31T23:59:59.999Z','type':'like','actor':'a1'}",
	  "ts=253402300799999 type=like actor='a1' account='default'", NULL, 0, 0 },
	/* The limits hold in UTC, after the offset. */
	{ "{'ts':'9999-12-31T23:59:59.999+01:00','type':'like','actor':'a1'}",
	  "ts=253402297199999 type=like actor='a1' account='default'", NULL, 0, 0 },
	{ "{'ts':'9999-12-31T22:59:59.999-01:00','type':'like','actor':'a1'}",
	  "ts=253402300799999 type=like actor='a1' account='default'", NULL, 0, 0 },
	{ "{'ts':'1970-01-01T01:00:00+01:00','type':'like','actor':'a1'}",
	  "ts=0 type=like actor='a1' account='default'", NULL, 0, 0 },
	{ "{'ts':1793700012.12,'type':'like','actor':'a1'}", W_LIKE, NULL, 0, 0 },
	{ "{'ts':1793700012.1209,'type':'like','actor':'a1'}", W_LIKE, NULL, 0, 0 },
	{ "{'ts':1.79370001212e9,'type':'like','actor':'a1'}", W_LIKE, NULL, 0, 0 },
	{ "{'ts':179370001212E-2,'type':'like','actor':'a1'}",
	  "ts=1793700012120 type=like actor='a1' account='default'", NULL, 0, 0 },
	{ "{'ts':0,'type':'like','actor':'a1'}", "ts=0 type=like actor='a1' account='default'", NULL, 0, 0 },
	{ "{'ts':-0,'type':'like','actor':'a1'}", "ts=0 type=like actor='a1' account='default'", NULL, 0, 0 },
	{ "{'ts':253402300799.999,'type':'like','actor':'a1'}",
	  "ts=253402300799999 type=like actor='a1' account='default'", NULL, 0, 0 },
	/* escapes and UTF-8 */
	{ "{" LIKE ",'text':'Caf\\u00e9'}", W_LIKE " text='Caf\\xc3\\xa9'", NULL, 0, 0 },
	{ "{" LIKE ",'text':'Caf\xc3\xa9 cr\xc3\xa8me'}", W_LIKE " text='Caf\\xc3\\xa9 cr\\xc3\\xa8me'", NULL, 0, 0 },
	{ "{" LIKE ",'text':'ok \\ud83d\\ude00'}", W_LIKE " text='ok \\xf0\\x9f\\x98\\x80'", NULL, 0, 0 },
	{ "{" LIKE ",'text':'one\\ntwo\\ttab \\\\ \\/ \\\"q\\\"'}",
	  W_LIKE " text='one\\x0atwo\\x09tab \\x5c / \\x22q\\x22'", NULL, 0, 0 },
	{ "{" LIKE ",'text':'nul\\u0000byte'}", W_LIKE " text='nul\\x00byte'", NULL, 0, 0 },
	{ "{" LIKE ",'text':'lone \\ud800'}", W_LIKE " text='lone ?'", NULL, 0, 0 },
	{ "{" TS ",'type':'like','actor':'Jos\\u00e9 \xf0\x9f\x98\x80'}",
	  W_TS " type=like actor='Jos\\xc3\\xa9 \\xf0\\x9f\\x98\\x80' account='default'", NULL, 0, 0 },
	{ "{'\\u0074s':'2026-11-03T10:00:12.120Z','typ\\u0065':'like','actor':'a1'}", W_LIKE, NULL, 0, 0 },
	/* unknown fields, nesting, duplicates, whitespace */
	{ "{" LIKE ",'src':{'tool':'export','ts':'bad','type':'poke','v':[1,{'actor':''}]}}", W_LIKE, NULL, 0, 0 },
	{ "{'meta':[[['x',{'text':5}]],{}],'extra':null,'n':1.5e300," LIKE ",'flag':true}", W_LIKE, NULL, 0, 0 },
	{ "{" LIKE ",'tag':'not tags','Text':5,'ts2':[]}", W_LIKE, NULL, 0, 0 },
	{ "{'type':'poke','type':'like','actor':'a0','actor':'a1','ts':'bad','ts':'2026-11-03T10:00:12.120Z'}",
	  W_LIKE, NULL, 0, 0 },
	{ "  {" LIKE "}  ", W_LIKE, NULL, 0, 0 },
	{ "{" LIKE "}\r", W_LIKE, NULL, 0, 0 },
	{ "\t{ 'ts' : '2026-11-03T10:00:12.120Z' ,\n 'type' : 'like' , 'actor' : 'a1' }\r", W_LIKE, NULL, 0, 0 },
	{ "{" LIKE "}\f", W_LIKE, NULL, 0, 0 },
	{ "{" LIKE ",'actor':'with \xc2\x80 C1 is not a control char'}",
	  W_TS " type=like actor='with \\xc2\\x80 C1 is not a control char' account='default'", NULL, 0, 0 },

	/* not_json */
	{ "", "!not_json", "empty line", 0, 0 },
	{ "   \t ", "!not_json", "empty line", 0, 0 },
	{ "\r", "!not_json", "empty line", 0, 0 },
	{ "{", "!not_json", "not JSON", 0, 0 },
	{ "{'ts':", "!not_json", NULL, 0, 0 },
	{ "{" LIKE, "!not_json", NULL, 0, 0 },
	{ "{" LIKE "} {}", "!not_json", "trailing garbage", 0, 0 },
	{ "{" LIKE "}{" LIKE "}", "!not_json", "trailing garbage", 0, 0 },
	{ "{" LIKE "} 5", "!not_json", NULL, 0, 0 },
	{ "{" LIKE "} 'abc}", "!not_json", NULL, 0, 0 },
	{ "{" LIKE "}x", "!not_json", NULL, 0, 0 },
	{ "{" LIKE "}]", "!not_json", NULL, 0, 0 },
	{ "{" LIKE ",}", "!not_json", NULL, 0, 0 },
	{ "{'ts':'2026-11-03T10:00:12.120Z','type':'like','actor':'a1'}", "!not_json", NULL, 0, RAW},
	{ "{" LIKE " /* comment */}", "!not_json", NULL, 0, 0 },
	{ "{" LIKE ",'n':0x10}", "!not_json", NULL, 0, 0 },
	{ "{" LIKE ",'n':01}", "!not_json", NULL, 0, 0 },
	{ "{" LIKE ",'n':NaN}", "!not_json", NULL, 0, 0 },
	{ "{" LIKE ",'text':'raw\ttab'}", "!not_json", NULL, 0, 0 },
	{ "{" LIKE ",'text':'bad \\x escape'}", "!not_json", NULL, 0, 0 },
	{ NUL_LINE, "!not_json", NULL, sizeof(NUL_LINE) - 1, 0 },
	{ "\xef\xbb\xbf{" LIKE "}", "!not_json", NULL, 0, 0 },
	{ "nope", "!not_json", NULL, 0, 0 },
	{ "'abc", "!not_json", NULL, 0, 0 },
	{ "'abc' 'de", "!not_json", "trailing garbage", 0, 0 },
	{ "[1] 'x", "!not_json", "trailing garbage", 0, 0 },
	{ "\f\v", "!not_json", "empty line", 0, 0 },
	/* not_object */
	{ "[]", "!not_object", "not a JSON object", 0, 0 },
	{ "[{" LIKE "}]", "!not_object", NULL, 0, 0 },
	{ "'{}'", "!not_object", NULL, 0, 0 },
	{ "42", "!not_object", NULL, 0, 0 },
	{ "42 ", "!not_object", NULL, 0, 0 },
	{ "-1.5e3", "!not_object", NULL, 0, 0 },
	{ "true", "!not_object", NULL, 0, 0 },
	{ "null", "!not_object", NULL, 0, 0 },
	/* invalid_utf8 */
	{ "{" LIKE ",'text':'\xff'}", "!invalid_utf8", "invalid UTF-8 at byte", 0, 0 },
	{ "{" LIKE ",'text':'overlong \xc0\xaf'}", "!invalid_utf8", NULL, 0, 0 },
	{ "{" LIKE ",'text':'surrogate \xed\xa0\x80'}", "!invalid_utf8", NULL, 0, 0 },
	{ "{" LIKE ",'text':'too big \xf4\x90\x80\x80'}", "!invalid_utf8", NULL, 0, 0 },
	{ "{" LIKE ",'text':'cut \xe2\x82'}", "!invalid_utf8", NULL, 0, 0 },
	{ "{" LIKE ",'ignored':'\xfe'}", "!invalid_utf8", NULL, 0, 0 },
	{ "\xff", "!invalid_utf8", NULL, 0, 0 },
	{ "{" LIKE ",'text':'lone low \\udc00'}", "!invalid_utf8", "text: invalid UTF-8 after unescaping", 0, 0 },
	/* missing_ts, invalid_ts */
	{ "{'type':'like','actor':'a1'}", "!missing_ts", "ts: missing", 0, 0 },
	{ "{}", "!missing_ts", NULL, 0, 0 },
	{ "{'ts':null,'type':'like','actor':'a1'}", "!missing_ts", NULL, 0, 0 },
	{ "{'ts':'yesterday','type':'like','actor':'a1'}", "!invalid_ts",
	  "ts: expected RFC 3339 time or Unix seconds", 0, 0 },
	{ "{'ts':'','type':'like','actor':'a1'}", "!invalid_ts", NULL, 0, 0 },
	{ "{'ts':'2026-11-03','type':'like','actor':'a1'}", "!invalid_ts", NULL, 0, 0 },
	{ "{'ts':'2026-02-30T10:00:12Z','type':'like','actor':'a1'}", "!invalid_ts", NULL, 0, 0 },
	{ "{'ts':'2026-11-03T10:00:12','type':'like','actor':'a1'}", "!invalid_ts", NULL, 0, 0 },
	{ "{'ts':'2026-11-03T10:00:12.120+0200','type':'like','actor':'a1'}", "!invalid_ts", NULL, 0, 0 },
	{ "{'ts':'2026-11-03T10:00:12.120Z ','type':'like','actor':'a1'}", "!invalid_ts", NULL, 0, 0 },
	{ "{'ts':'1969-12-31T23:59:59Z','type':'like','actor':'a1'}", "!invalid_ts", "before 1970", 0, 0 },
	{ "{'ts':'1970-01-01T00:59:59+01:00','type':'like','actor':'a1'}", "!invalid_ts", "before 1970", 0, 0 },
	{ "{'ts':'9999-12-31T23:59:59-01:00','type':'like','actor':'a1'}", "!invalid_ts", "year 10000", 0, 0 },
	{ "{'ts':'9999-12-31T23:00:00-01:00','type':'like','actor':'a1'}", "!invalid_ts", "year 10000", 0, 0 },
	{ "{'ts':'9999-12-31T22:30:00.000-01:30','type':'like','actor':'a1'}", "!invalid_ts", "year 10000", 0, 0 },
	{ "{'ts':253402300800.000,'type':'like','actor':'a1'}", "!invalid_ts", "Unix seconds", 0, 0 },
	{ "{'ts':253402300799.9999,'type':'like','actor':'a1'}",
	  "ts=253402300799999 type=like actor='a1' account='default'", NULL, 0, 0 },
	{ "{'ts':'1793700012','type':'like','actor':'a1'}", "!invalid_ts", NULL, 0, 0 },
	{ "{'ts':-1,'type':'like','actor':'a1'}", "!invalid_ts", "Unix seconds", 0, 0 },
	{ "{'ts':-0.001,'type':'like','actor':'a1'}", "!invalid_ts", NULL, 0, 0 },
	{ "{'ts':253402300800,'type':'like','actor':'a1'}", "!invalid_ts", NULL, 0, 0 },
	{ "{'ts':1e400,'type':'like','actor':'a1'}", "!invalid_ts", NULL, 0, 0 },
	{ "{'ts':99999999999999999999999,'type':'like','actor':'a1'}", "!invalid_ts", NULL, 0, 0 },
	{ "{'ts':true,'type':'like','actor':'a1'}", "!invalid_ts", NULL, 0, 0 },
	{ "{'ts':{'s':1},'type':'like','actor':'a1'}", "!invalid_ts", NULL, 0, 0 },
	{ "{'ts':[1793700012],'type':'like','actor':'a1'}", "!invalid_ts", NULL, 0, 0 },
	/* missing_type, unknown_type */
	{ "{" TS ",'actor':'a1'}", "!missing_type", "type: missing", 0, 0 },
	{ "{" TS ",'type':null,'actor':'a1'}", "!missing_type", NULL, 0, 0 },
	{ "{" TS ",'type':'poke','actor':'a1'}", "!unknown_type", "type: unknown type \"poke\"", 0, 0 },
	{ "{" TS ",'type':'Like','actor':'a1'}", "!unknown_type", NULL, 0, 0 },
	{ "{" TS ",'type':'','actor':'a1'}", "!unknown_type", NULL, 0, 0 },
	{ "{" TS ",'type':'like ','actor':'a1'}", "!unknown_type", NULL, 0, 0 },
	{ "{" TS ",'type':'bell\\u0007and a very long name that goes on and on','actor':'a1'}",
	  "!unknown_type", "type: unknown type \"bell?and a very long name that g...\"", 0, 0 },
	{ "{" TS ",'type':8,'actor':'a1'}", "!unknown_type", "type: expected a string, got a number", 0, 0 },
	{ "{" TS ",'type':['like'],'actor':'a1'}", "!unknown_type", NULL, 0, 0 },
	/* missing_actor, invalid_actor */
	{ "{" TS ",'type':'like'}", "!missing_actor", "actor: missing", 0, 0 },
	{ "{" TS ",'type':'follow','actor':null}", "!missing_actor", NULL, 0, 0 },
	{ "{" TS ",'type':'like','actor':''}", "!invalid_actor", "actor: empty", 0, 0 },
	{ "{" TS ",'type':'like','actor':42}", "!invalid_actor", "actor: expected a string", 0, 0 },
	{ "{" TS ",'type':'like','actor':{'id':'a1'}}", "!invalid_actor", NULL, 0, 0 },
	{ "{" TS ",'type':'like','actor':'a\\u0001'}", "!invalid_actor",
	  "actor: contains a control character", 0, 0 },
	{ "{" TS ",'type':'like','actor':'new\\nline'}", "!invalid_actor", NULL, 0, 0 },
	{ "{" TS ",'type':'like','actor':'del\x7f'}", "!invalid_actor", NULL, 0, 0 },
	{ "{" TS ",'type':'like','actor':'longer actor\x7f name'}", "!invalid_actor", NULL, 0, 0 },
	{ "{" TS ",'type':'like','actor':'0123456789abcdef\\u001f'}", "!invalid_actor", NULL, 0, 0 },
	{ "{" TS ",'type':'like','actor':'a long actor id with a tab\\t in its second word'}",
	  "!invalid_actor", NULL, 0, 0 },
	{ "{'ts':1,'type':'snapshot','followers':1,'actor':''}", "!invalid_actor", NULL, 0, 0 },
	/* invalid_field */
	{ "{" LIKE ",'dir':'sideways'}", "!invalid_field", "dir: expected \"in\" or \"out\"", 0, 0 },
	{ "{" LIKE ",'dir':'OUT'}", "!invalid_field", NULL, 0, 0 },
	{ "{" LIKE ",'dir':1}", "!invalid_field", NULL, 0, 0 },
	{ "{" LIKE ",'account':''}", "!invalid_field", "account: empty", 0, 0 },
	{ "{" LIKE ",'account':7}", "!invalid_field", "account: expected a string", 0, 0 },
	{ "{" LIKE ",'account':'a\\u001f'}", "!invalid_field", "account: contains a control", 0, 0 },
	{ "{" LIKE ",'id':''}", "!invalid_field", "id: empty", 0, 0 },
	{ "{" LIKE ",'id':123}", "!invalid_field", "id: expected a string, got a number", 0, 0 },
	{ "{" LIKE ",'post':{}}", "!invalid_field", "post: expected a string, got an object", 0, 0 },
	{ "{" LIKE ",'title':['x']}", "!invalid_field", "title: expected a string, got a list", 0, 0 },
	{ "{" LIKE ",'text':false}", "!invalid_field", "text: expected a string, got true/false", 0, 0 },
	{ "{" LIKE ",'name':1}", "!invalid_field", "name:", 0, 0 },
	{ "{" LIKE ",'headline':1}", "!invalid_field", "headline:", 0, 0 },
	{ "{" LIKE ",'reaction':1}", "!invalid_field", "reaction:", 0, 0 },
	{ "{" LIKE ",'actor_followers':-3}", "!invalid_field",
	  "actor_followers: expected a non-negative integer", 0, 0 },
	{ "{" LIKE ",'actor_followers':1.5}", "!invalid_field", NULL, 0, 0 },
	{ "{" LIKE ",'actor_followers':15e-1}", "!invalid_field", NULL, 0, 0 },
	{ "{" LIKE ",'actor_followers':'12'}", "!invalid_field", NULL, 0, 0 },
	{ "{" LIKE ",'actor_followers':9223372036854775808}", "!invalid_field", NULL, 0, 0 },
	/* Counts are bounded (EVENT_COUNT_MAX), in every numeric field. */
	{ "{" LIKE ",'actor_followers':9223372036854775807}", "!invalid_field",
	  "actor_followers: expected a non-negative integer up to 10^12", 0, 0 },
	{ "{" LIKE ",'actor_connections':1000000000001}", "!invalid_field", "actor_connections:", 0, 0 },
	{ "{" LIKE ",'actor_followers':1e12}", W_LIKE " actor_followers=1000000000000", NULL, 0, 0 },
	{ "{'ts':1,'type':'snapshot','followers':9223372036854775000}", "!invalid_field",
	  "followers: expected a non-negative integer up to 10^12", 0, 0 },
	{ "{'ts':1,'type':'snapshot','connections':1000000000001}", "!invalid_field",
	  "connections:", 0, 0 },
	{ "{'ts':1,'type':'snapshot','followers':1000000000000,'connections':1000000000000}",
	  "ts=1000 type=snapshot account='default' followers=1000000000000 connections=1000000000000",
	  NULL, 0, 0 },
	{ "{" LIKE ",'actor_connections':true}", "!invalid_field", "actor_connections:", 0, 0 },
	{ "{'ts':1,'type':'snapshot','followers':-1,'connections':5}", "!invalid_field",
	  "followers:", 0, 0 },
	{ "{'ts':1,'type':'snapshot','followers':5,'connections':'many'}", "!invalid_field",
	  "connections:", 0, 0 },
	{ "{" LIKE ",'creator':'yes'}", "!invalid_field", "creator: expected true or false", 0, 0 },
	{ "{" LIKE ",'creator':1}", "!invalid_field", NULL, 0, 0 },
	{ "{" LIKE ",'tags':'client'}", "!invalid_field", "tags: expected a list of strings", 0, 0 },
	{ "{" LIKE ",'tags':['a',1]}", "!invalid_field", NULL, 0, 0 },
	{ "{" LIKE ",'tags':['a',null]}", "!invalid_field", NULL, 0, 0 },
	{ "{" LIKE ",'tags':[['a']]}", "!invalid_field", NULL, 0, 0 },
	{ "{" LIKE ",'tags':[{'a':'b'}]}", "!invalid_field", NULL, 0, 0 },
	{ "{" LIKE ",'tags':{}}", "!invalid_field", NULL, 0, 0 },
	{ "{" LIKE ",'tags':['a'],'tags':'x'}", "!invalid_field", NULL, 0, 0 },
	{ "{" LIKE ",'text':'first','text':5}", "!invalid_field", NULL, 0, 0 },
	/* invalid_snapshot */
	{ "{'ts':1793700012,'type':'snapshot'}", "!invalid_snapshot",
	  "snapshot: needs followers or connections", 0, 0 },
	{ "{'ts':1793700012,'type':'snapshot','followers':null,'actor_followers':5}",
	  "!invalid_snapshot", NULL, 0, 0 },
	/* the first problem in the order ts, type, actor, fields wins */
	{ "{'actor':''}", "!missing_ts", NULL, 0, 0 },
	{ "{'ts':'bad','type':'poke'}", "!invalid_ts", NULL, 0, 0 },
	{ "{" TS ",'type':'poke','dir':'x'}", "!unknown_type", NULL, 0, 0 },
	{ "{" TS ",'type':'like','actor':'','dir':'x'}", "!invalid_actor", NULL, 0, 0 },
	{ "{'dir':'x','type':'snapshot','ts':1}", "!invalid_field", NULL, 0, 0 },
	/* recovery: a line that leaves yajl inside a token, then a good one */
	{ "{" LIKE ",'text':'unterminated", "!not_json", NULL, 0, 0 },
	{ "{" LIKE "}", W_LIKE, NULL, 0, 0 },
	{ "{" LIKE "} 12", "!not_json", NULL, 0, 0 },
	{ "{" LIKE "}", W_LIKE, NULL, 0, 0 },
};

/* Appends a string value in quotes, showing every byte outside printable ASCII as \xNN. */
static void test_render_bytes(struct buf *b, const char *s, size_t len)
{
	buf_append_str(b, "'");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7F && c != '\'' && c != '\\' && c != '"')
			buf_append(b, &s[i], 1);
		else
			buf_printf(b, "\\x%02x", c);
	}
	buf_append_str(b, "'");
}

static void test_render_str(struct buf *b, const char *key, const struct event_str *s)
{
	if (s->ptr == NULL)
		return;
	/* The parser promises NUL-terminated copies. */
	assert_int_equal(s->ptr[s->len], '\0');
	buf_printf(b, " %s=", key);
	test_render_bytes(b, s->ptr, s->len);
}

static void test_render_count(struct buf *b, const char *key, int64_t v)
{
	if (v != -1)
		buf_printf(b, " %s=%" PRId64, key, v);
}

/* One line of text for a parsed event: the table's right-hand side. */
static const char *test_render(struct buf *b, const struct event *ev)
{
	buf_reset(b);
	buf_printf(b, "ts=%" PRId64 " type=%s", ev->ts_ms, event_type_name(ev->type));
	test_render_str(b, "actor", &ev->actor);
	if (ev->dir_out)
		buf_append_str(b, " dir=out");
	test_render_str(b, "account", &ev->account);
	test_render_str(b, "id", &ev->id);
	test_render_str(b, "post", &ev->post);
	test_render_str(b, "title", &ev->title);
	test_render_str(b, "text", &ev->text);
	test_render_str(b, "name", &ev->name);
	test_render_str(b, "headline", &ev->headline);
	test_render_str(b, "reaction", &ev->reaction);
	test_render_count(b, "actor_connections", ev->actor_connections);
	test_render_count(b, "actor_followers", ev->actor_followers);
	if (ev->creator != -1)
		buf_printf(b, " creator=%d", ev->creator);
	if (ev->has_tags) {
		buf_append_str(b, " tags=[");
		for (size_t i = 0; i < ev->ntags; i++) {
			if (i > 0)
				buf_append_str(b, ",");
			test_render_bytes(b, ev->tags[i].ptr, ev->tags[i].len);
		}
		buf_append_str(b, "]");
	}
	test_render_count(b, "followers", ev->followers);
	test_render_count(b, "connections", ev->connections);
	return buf_cstr(b);
}

/*
 * Parses one row from a heap copy of its line, scribbles over and frees the
 * copy, and compares. Returns 0 if the row passes; prints why not otherwise.
 */
static int test_run_row(struct event_parser *parser, size_t index, const struct row *row,
                        struct buf *out)
{
	size_t len = row->len ? row->len : strlen(row->line);
	char *line = xmalloc(len);
	struct event ev;
	enum event_reject reason;
	const char *got;
	const char *detail;

	memcpy(line, row->line, len);
	if (!row->raw)
		for (size_t i = 0; i < len; i++)
			if (line[i] == '\'')
				line[i] = '"';
	memset(&ev, 0x5A, sizeof(ev)); /* nothing may be left unset */
	reason = event_parse(parser, line, len, &ev);
	memset(line, '#', len);
	free(line);

	detail = event_parser_error(parser);
	if (reason == REJECT_NONE) {
		got = test_render(out, &ev);
	} else {
		buf_reset(out);
		buf_printf(out, "!%s", event_reject_name(reason));
		got = buf_cstr(out);
	}
	if (strcmp(got, row->want) != 0) {
		print_error("row %zu: %s\n  want: %s\n  got:  %s (%s)\n", index, row->line, row->want,
		            got, detail);
		return -1;
	}
	if (row->detail != NULL && strstr(detail, row->detail) == NULL) {
		print_error("row %zu: %s\n  detail \"%s\" lacks \"%s\"\n", index, row->line, detail,
		            row->detail);
		return -1;
	}
	return 0;
}

static void test_table_one_parser(void **state)
{
	struct event_parser *parser = event_parser_new();
	struct buf out = { 0 };
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(test_rows); i++)
		failures += test_run_row(parser, i, &test_rows[i], &out) != 0;
	event_parser_free(parser);
	buf_free(&out);
	assert_int_equal(failures, 0);
}

/* The same rows through yajl alone: the two paths must agree on every line. */
static void test_table_yajl(void **state)
{
	struct event_parser *parser = event_parser_new();
	struct buf out = { 0 };
	int failures = 0;

	(void)state;
	event_parser_set_fast(parser, 0);
	for (size_t i = 0; i < ARRAY_SIZE(test_rows); i++)
		failures += test_run_row(parser, i, &test_rows[i], &out) != 0;
	event_parser_free(parser);
	buf_free(&out);
	assert_int_equal(failures, 0);
}

static void test_table_fresh_parsers(void **state)
{
	struct buf out = { 0 };
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(test_rows); i++) {
		struct event_parser *parser = event_parser_new();
		failures += test_run_row(parser, i, &test_rows[i], &out) != 0;
		event_parser_free(parser);
	}
	buf_free(&out);
	assert_int_equal(failures, 0);
}

/* Every reject reason except line_too_long and future_ts (the engine's) appears in the table. */
static void test_table_covers_every_reason(void **state)
{
	(void)state;
	for (int r = REJECT_NOT_JSON; r < REJECT_REASON_COUNT; r++) {
		char want[64];
		int found = 0;
		if (r == REJECT_LINE_TOO_LONG || r == REJECT_FUTURE_TS)
			continue;
		snprintf(want, sizeof(want), "!%s", event_reject_name((enum event_reject)r));
		for (size_t i = 0; i < ARRAY_SIZE(test_rows); i++)
			found |= strcmp(test_rows[i].want, want) == 0;
		if (!found)
			fail_msg("no table row for %s", want);
	}
}

/* Parses a line built at run time; returns the reason. */
static enum event_reject test_parse(struct event_parser *parser, struct buf *line,
                                    struct event *ev)
{
	return event_parse(parser, line->data, line->len, ev);
}

static void test_actor_length_limit(void **state)
{
	struct event_parser *parser = event_parser_new();
	struct buf line = { 0 };
	struct event ev;
	char actor[EVENT_ACTOR_MAX + 2];

	(void)state;
	memset(actor, 'x', sizeof(actor));
	actor[EVENT_ACTOR_MAX] = '\0';
	buf_printf(&line, "{\"ts\":1,\"type\":\"like\",\"actor\":\"%s\"}", actor);
	assert_int_equal(test_parse(parser, &line, &ev), REJECT_NONE);
	assert_int_equal(ev.actor.len, EVENT_ACTOR_MAX);

	actor[EVENT_ACTOR_MAX] = 'x';
	actor[EVENT_ACTOR_MAX + 1] = '\0';
	buf_reset(&line);
	buf_printf(&line, "{\"ts\":1,\"type\":\"like\",\"actor\":\"%s\"}", actor);
	assert_int_equal(test_parse(parser, &line, &ev), REJECT_INVALID_ACTOR);
	assert_string_equal(event_parser_error(parser), "actor: longer than 256 bytes");

	/* 128 two-byte characters are 256 bytes: the limit is in bytes. */
	buf_reset(&line);
	buf_append_str(&line, "{\"ts\":1,\"type\":\"like\",\"actor\":\"");
	for (int i = 0; i < 128; i++)
		buf_append_str(&line, "\xc3\xa9");
	buf_append_str(&line, "\"}");
	assert_int_equal(test_parse(parser, &line, &ev), REJECT_NONE);
	buf_reset(&line);
	buf_append_str(&line, "{\"ts\":1,\"type\":\"like\",\"actor\":\"");
	for (int i = 0; i < 128; i++)
		buf_append_str(&line, "\\u00e9");
	buf_append_str(&line, "e\"}");
	assert_int_equal(test_parse(parser, &line, &ev), REJECT_INVALID_ACTOR);

	/* The same rule for account, which is an optional field. */
	buf_reset(&line);
	buf_printf(&line, "{\"ts\":1,\"type\":\"like\",\"actor\":\"a\",\"account\":\"%s\"}", actor);
	assert_int_equal(test_parse(parser, &line, &ev), REJECT_INVALID_FIELD);
	assert_string_equal(event_parser_error(parser), "account: longer than 256 bytes");

	buf_free(&line);
	event_parser_free(parser);
}

static void test_tags_beyond_max(void **state)
{
	struct event_parser *parser = event_parser_new();
	struct buf line = { 0 };
	struct event ev;

	(void)state;
	buf_append_str(&line, "{\"ts\":1,\"type\":\"like\",\"actor\":\"a\",\"tags\":[");
	for (int i = 0; i < EVENT_MAX_TAGS + 4; i++)
		buf_printf(&line, "%s\"t%d\"", i ? "," : "", i);
	buf_append_str(&line, "]}");
	assert_int_equal(test_parse(parser, &line, &ev), REJECT_NONE);
	assert_true(ev.has_tags);
	assert_int_equal(ev.ntags, EVENT_MAX_TAGS);
	assert_int_equal(ev.tags[EVENT_MAX_TAGS - 1].len, 3);
	assert_memory_equal(ev.tags[EVENT_MAX_TAGS - 1].ptr, "t15", 3);

	/* A bad element past the kept ones still makes the list invalid. */
	line.len -= 2;
	buf_append_str(&line, ",7]}");
	assert_int_equal(test_parse(parser, &line, &ev), REJECT_INVALID_FIELD);

	buf_free(&line);
	event_parser_free(parser);
}

/* A long line with many escapes: the scratch buffer grows before parsing. */
static void test_long_line(void **state)
{
	struct event_parser *parser = event_parser_new();
	struct buf line = { 0 };
	struct event ev;
	const size_t repeats = 100000;

	(void)state;
	buf_append_str(&line, "{\"ts\":1,\"type\":\"comment\",\"actor\":\"a\",\"text\":\"");
	for (size_t i = 0; i < repeats; i++)
		buf_append_str(&line, "\\u00e9\\n\\ud83d\\ude00ab");
	buf_append_str(&line, "\",\"name\":\"");
	for (size_t i = 0; i < repeats; i++)
		buf_append_str(&line, "xyz");
	buf_append_str(&line, "\"}");
	assert_int_equal(test_parse(parser, &line, &ev), REJECT_NONE);
	assert_int_equal(ev.text.len, repeats * 9);
	assert_memory_equal(ev.text.ptr, "\xc3\xa9\n\xf0\x9f\x98\x80" "ab", 9);
	assert_memory_equal(ev.text.ptr + (repeats - 1) * 9, "\xc3\xa9\n\xf0\x9f\x98\x80" "ab", 9);
	assert_int_equal(ev.name.len, repeats * 3);
	assert_int_equal(ev.text.ptr[ev.text.len], '\0');

	/* And the parser still works for short lines afterwards. */
	buf_reset(&line);
	buf_append_str(&line, "{\"ts\":2,\"type\":\"like\",\"actor\":\"b\"}");
	assert_int_equal(test_parse(parser, &line, &ev), REJECT_NONE);
	assert_int_equal(ev.ts_ms, 2000);

	buf_free(&line);
	event_parser_free(parser);
}

/*
 * A "dir" that is not a string is refused without looking at the field's
 * string, which is then the previous line's (here in a buffer the longer
 * line has freed: ASan's build caught the read, found by fuzz_event).
 */
static void test_dir_not_a_string_after_a_string(void **state)
{
	struct event_parser *parser = event_parser_new();
	struct buf line = { 0 };
	struct event ev;

	(void)state;
	for (int fast = 1; fast >= 0; fast--) {
		buf_reset(&line);
		/* An escape sends the line to yajl (the scratch buffer). */
		buf_append_str(&line, fast ? "{\"ts\":1,\"type\":\"like\",\"actor\":\"a\",\"dir\":\"out\"}"
		                           : "{\"ts\":1,\"type\":\"like\",\"actor\":\"a\",\"dir\":\"o\\u0075t\"}");
		assert_int_equal(test_parse(parser, &line, &ev), REJECT_NONE);
		assert_int_equal(ev.dir_out, 1);
		buf_reset(&line);
		buf_append_str(&line, "{\"ts\":1,\"type\":\"like\",\"actor\":\"a\",\"dir\":[\"out\"],\"text\":\"");
		for (int i = 0; i < 4096; i++)
			buf_append_str(&line, fast ? "ab" : "\\n");
		buf_append_str(&line, "\"}");
		assert_int_equal(test_parse(parser, &line, &ev), REJECT_INVALID_FIELD);
		assert_string_equal(event_parser_error(parser), "dir: expected \"in\" or \"out\"");
	}
	buf_free(&line);
	event_parser_free(parser);
}

/* Deeply nested unknown values are skipped, however deep. */
static void test_deep_nesting(void **state)
{
	struct event_parser *parser = event_parser_new();
	struct buf line = { 0 };
	struct event ev;
	const int depth = 20000;

	(void)state;
	buf_append_str(&line, "{\"ignored\":");
	for (int i = 0; i < depth; i++)
		buf_append_str(&line, i % 2 ? "{\"k\":" : "[");
	buf_append_str(&line, "\"leaf\"");
	for (int i = depth - 1; i >= 0; i--)
		buf_append_str(&line, i % 2 ? "}" : "]");
	buf_append_str(&line, ",\"ts\":3,\"type\":\"share\",\"actor\":\"c\"}");
	assert_int_equal(test_parse(parser, &line, &ev), REJECT_NONE);
	assert_int_equal(ev.type, EVENT_SHARE);
	assert_int_equal(ev.ts_ms, 3000);

	buf_free(&line);
	event_parser_free(parser);
}

/* Strings stay valid until the next call, however the caller's line changes. */
static void test_strings_outlive_line(void **state)
{
	struct event_parser *parser = event_parser_new();
	char line[] = "{\"ts\":1,\"type\":\"comment\",\"actor\":\"ann\",\"text\":\"plain\","
	              "\"name\":\"Jos\\u00e9\",\"tags\":[\"x\"]}";
	struct event ev;

	(void)state;
	assert_int_equal(event_parse(parser, line, strlen(line), &ev), REJECT_NONE);
	memset(line, 0, sizeof(line));
	assert_string_equal(ev.actor.ptr, "ann");
	assert_string_equal(ev.text.ptr, "plain");
	assert_string_equal(ev.name.ptr, "Jos\xc3\xa9");
	assert_string_equal(ev.tags[0].ptr, "x");
	assert_string_equal(ev.account.ptr, "default");
	event_parser_free(parser);
}

static void test_type_names(void **state)
{
	static const char *const names[EVENT_TYPE_COUNT] = {
		"follow", "unfollow", "connect", "disconnect", "invite_sent", "invite_accepted",
		"invite_declined", "invite_withdrawn", "like", "comment", "reply", "share",
		"mention", "message", "profile_view", "snapshot", "profile",
	};

	(void)state;
	for (int i = 0; i < EVENT_TYPE_COUNT; i++) {
		assert_string_equal(event_type_name((enum event_type)i), names[i]);
		assert_int_equal(event_type_from_name(names[i], strlen(names[i])), i);
		assert_int_equal(event_type_is_engagement((enum event_type)i),
		                 i >= EVENT_LIKE && i <= EVENT_PROFILE_VIEW);
	}
	assert_null(event_type_name(EVENT_TYPE_COUNT));
	assert_null(event_type_name((enum event_type)-1));
	assert_int_equal(event_type_from_name("likes", 5), -1);
	assert_int_equal(event_type_from_name("lik", 3), -1);
	assert_int_equal(event_type_from_name("like", 3), -1);
	assert_int_equal(event_type_from_name("", 0), -1);
	assert_int_equal(event_type_from_name("LIKE", 4), -1);
	/* Not NUL-terminated: only len bytes count. */
	assert_int_equal(event_type_from_name("sharex", 5), EVENT_SHARE);
	assert_true(event_type_is_engagement(EVENT_LIKE));
	assert_false(event_type_is_engagement(EVENT_FOLLOW));
	assert_false(event_type_is_engagement(EVENT_SNAPSHOT));
	assert_false(event_type_is_engagement(EVENT_INVITE_SENT));
	assert_false(event_type_is_engagement(EVENT_PROFILE));
}

static void test_reject_names(void **state)
{
	/* These names are an interface (dead-letter file, metrics): pinned here. */
	static const char *const names[REJECT_REASON_COUNT] = {
		"none", "not_json", "not_object", "invalid_utf8", "missing_ts", "invalid_ts",
		"missing_type", "unknown_type", "missing_actor", "invalid_actor", "invalid_field",
		"invalid_snapshot", "line_too_long", "future_ts",
	};

	(void)state;
	for (int i = 0; i < REJECT_REASON_COUNT; i++)
		assert_string_equal(event_reject_name((enum event_reject)i), names[i]);
	assert_string_equal(event_reject_name(REJECT_REASON_COUNT), "unknown");
}

static void test_error_detail_cleared(void **state)
{
	struct event_parser *parser = event_parser_new();
	struct event ev;
	const char *bad = "{\"ts\":\"x\"}";
	const char *good = "{\"ts\":1,\"type\":\"like\",\"actor\":\"a\"}";

	(void)state;
	assert_string_equal(event_parser_error(parser), "");
	assert_int_equal(event_parse(parser, bad, strlen(bad), &ev), REJECT_INVALID_TS);
	assert_string_not_equal(event_parser_error(parser), "");
	assert_int_equal(event_parse(parser, good, strlen(good), &ev), REJECT_NONE);
	assert_string_equal(event_parser_error(parser), "");
	event_parser_free(parser);
	event_parser_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_one_parser),
		cmocka_unit_test(test_table_yajl),
		cmocka_unit_test(test_table_fresh_parsers),
		cmocka_unit_test(test_table_covers_every_reason),
		cmocka_unit_test(test_actor_length_limit),
		cmocka_unit_test(test_tags_beyond_max),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_dir_not_a_string_after_a_string),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_strings_outlive_line),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_reject_names),
		cmocka_unit_test(test_error_detail_cleared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
