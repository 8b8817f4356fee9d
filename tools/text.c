// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz reader: strings from the target made safe for each output form
 * (terminal, JSON, XML), and sizes in words.
 */
#include <fnmatch.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "vmviz.h"

/* The length of the valid UTF-8 sequence at @s and its code point; 0 if invalid. */
static int utf8_decode(const unsigned char *s, unsigned int *cp)
{
	unsigned int c, len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/*
 * The length of the UTF-8 sequence at @s if it is valid and prints as text:
 * no C1 control, no bidirectional override or isolate, no line or paragraph
 * separator (each can make a terminal show what is not there). 0 otherwise.
 */
static int printable_utf8(const unsigned char *s)
{
	unsigned int c;
	int len = utf8_decode(s, &c);

	if (!len || c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x200e ||
	    c == 0x200f || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0xfeff)
		return 0;
	return len;
}

/**
 * vmviz_json_safe - write JSON text with what a terminal would act on escaped
 * @f: where to
 * @json: JSON text (from libsmartcols)
 *
 * Inside strings (the only place they can be), C1 controls, DEL, bidi and
 * line separators become \uXXXX escapes; a byte that is not UTF-8 becomes
 * the code point of its value. The JSON means the same, and is safe to cat.
 */
void vmviz_json_safe(FILE *f, const char *json)
{
	const unsigned char *p = (const unsigned char *)json;

	while (*p) {
		unsigned int c;
		int len = printable_utf8(p);

		if (len || *p == '\n' || *p == ' ') {
			fwrite(p, 1, len ? len : 1, f);
			p += len ? len : 1;
			continue;
		}
		len = utf8_decode(p, &c);
		if (!len) {
			c = *p;
			len = 1;
		}
		fprintf(f, "\\u%04x", c);
		p += len;
	}
}

/* The terminal's locale is UTF-8: names in UTF-8 show as text there. */
static bool term_utf8;

/* setlocale() from the environment; whether the terminal takes UTF-8. */
void vmviz_locale_init(void)
{
	const char *cs;

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	term_utf8 = cs && !strcmp(cs, "UTF-8");
}

/* Columns one character takes on the terminal, and its bytes in *len. */
static size_t char_cols(const char *s, size_t *len)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;
	int w;

	/* An escape vmviz wrote (\ooo, \\) is one piece: never cut inside. */
	if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
	    s[3] >= '0' && s[3] <= '7') {
		*len = 4;
		return 4;
	}
	if (s[0] == '\\' && s[1] == '\\') {
		*len = 2;
		return 2;
	}
	if (!term_utf8 || !((unsigned char)*s & 0x80)) {
		*len = 1;
		return 1;
	}
	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || !n) {
		*len = 1;
		return 1;
	}
	*len = n;
	w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

/**
 * vmviz_text_cols - the columns @s takes on the terminal
 * @s: text as vmviz prints it (escaped)
 *
 * By wcwidth() in a UTF-8 locale (a CJK character takes two, a combining
 * mark none), one a byte otherwise (escaped text is ASCII there).
 */
size_t vmviz_text_cols(const char *s)
{
	size_t cols = 0, len;

	/* ASCII, escapes included, takes a column a byte. */
	while (*s > 0 && *s < 0x7f) {
		cols++;
		s++;
	}
	while (*s) {
		cols += char_cols(s, &len);
		s += len;
	}
	return cols;
}

/* Where the tail of @s that fits @width columns starts, on a character. */
const char *vmviz_text_tail(const char *s, size_t width)
{
	size_t cols = vmviz_text_cols(s), len;

	while (*s && cols > width) {
		cols -= char_cols(s, &len);
		s += len;
	}
	return s;
}

/**
 * escape_piece - the one escaping rule of everything that leaves vmviz
 * @sink: where the text goes: a terminal (and messages), JSON, or XML
 * @p: the string at the character to write
 * @piece: gets what to write for it, NUL-terminated (at most 11 bytes)
 *
 * Printable ASCII and printable UTF-8 (no C1 control, bidi override or
 * line separator: printable_utf8()) stay as they are, but for what the sink
 * gives a meaning: for JSON the quote and backslash; for XML the markup
 * characters and the backslash of the escapes below. Everything else (every
 * control byte, DEL, bytes that are not UTF-8) becomes an escape that holds
 * no control byte: \ooo octal, as the report and /proc/PID/maps write them
 * (terminal, XML: XML 1.0 has no way to carry a control byte), \u00XX in
 * JSON. A terminal gets a backslash as "\\": not "\xHH", which
 * libsmartcols would escape again.
 *
 * Return: the bytes of @p it stands for.
 */
static int escape_piece(enum vmviz_sink sink, const unsigned char *p, char *piece)
{
	int n = printable_utf8(p);

	/* Raw tables: one word a cell, escaped as libsmartcols -r does (\xHH). */
	if (sink == SINK_RAW && (*p == ' ' || *p == '\t' || *p == '\\' || !n ||
				 (n > 1 && !term_utf8))) {
		snprintf(piece, 12, "\\x%02x", *p);
		return 1;
	}
	if (*p == '\\') {
		snprintf(piece, 12, "%s", "\\\\");
		return 1;
	}
	if (sink == SINK_JSON && *p == '"') {
		snprintf(piece, 12, "%s", "\\\"");
		return 1;
	}
	if (sink == SINK_XML && strchr("&<>\"'", *p)) {
		snprintf(piece, 12, "%s",
			 *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;" :
			 *p == '"' ? "&quot;" : "&apos;");
		return 1;
	}
	/* A terminal that is not UTF-8 gets every byte above ASCII escaped. */
	if (n > 1 && sink == SINK_TERM && !term_utf8)
		n = 0;
	if (n) {
		memcpy(piece, p, n);
		piece[n] = '\0';
		return n;
	}
	if (sink == SINK_JSON) {
		unsigned int c;

		/* A valid sequence as its code point (all of them below U+10000). */
		n = utf8_decode(p, &c);
		snprintf(piece, 12, "\\u%04x", n && c < 0x10000 ? c : *p);
		return n && c < 0x10000 ? n : 1;
	}
		snprintf(piece, 12, "\\%03o", *p);
	return 1;
}

/**
 * vmviz_escape - @s escaped for @sink into @buf
 * @sink: SINK_TERM, SINK_JSON or SINK_XML (escape_piece())
 * @s: the string, as the target set it
 * @buf: where to write it
 * @len: size of @buf; a string that does not fit ends in "..."
 *
 * Return: @buf.
 */
char *vmviz_escape(enum vmviz_sink sink, const char *s, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	while (*p) {
		char piece[12];
		int n;
		size_t k;

		/* Printable ASCII no sink gives a meaning: as it is. */
		if (*p > 0x20 && *p < 0x7f && *p != '\\' && *p != '"' && *p != '&' &&
		    *p != '<' && *p != '>' && *p != '\'' && o + 5 <= len) {
			buf[o++] = *p++;
			continue;
		}
		n = escape_piece(sink, p, piece);
		k = strlen(piece);

		if (o + k + 4 > len) {
			snprintf(buf + o, len - o, "...");
			return buf;
		}
		memcpy(buf + o, piece, k);
		o += k;
		p += n;
	}
	buf[o] = '\0';
	return buf;
}

/* vmviz_escape() of a whole string, written to @f. */
void vmviz_escape_to(FILE *f, enum vmviz_sink sink, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char piece[12];

	while (*p) {
		p += escape_piece(sink, p, piece);
		fputs(piece, f);
	}
}

/* A string from the target safe for a terminal or a message (SINK_TERM). */
char *vmviz_esc(const char *s, char *buf, size_t len)
{
	return vmviz_escape(SINK_TERM, s, buf, len);
}

/* vmviz_esc() into a buffer of its own, for one-off messages; free it. */
char *vmviz_esc_dup(const char *s)
{
	size_t len = strlen(s) * 6 + 4;
	char *buf = malloc(len);

	if (!buf)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	return vmviz_esc(s, buf, len);
}

/* A JSON string of @s, quotes included (SINK_JSON); NULL prints null. */
void vmviz_json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	vmviz_escape_to(f, SINK_JSON, s);
	fputc('"', f);
}

/* @s as XML character data or attribute value (SINK_XML). */
void vmviz_xml_str(FILE *f, const char *s)
{
	vmviz_escape_to(f, SINK_XML, s);
}

/**
 * vmviz_json_line - JSON text as one line (JSON lines: watch -J)
 * @f: where to
 * @json: JSON text, as the views write it over several lines
 *
 * A raw newline in JSON text is whitespace between tokens (in a string it
 * is escaped): it goes, with the indentation after it; a newline ends it.
 */
void vmviz_json_line(FILE *f, const char *json)
{
	while (*json) {
		size_t len = strcspn(json, "\n");

		fwrite(json, 1, len, f);
		json += len;
		json += strspn(json, "\n ");
	}
	fputc('\n', f);
}

/* "1 page", "2 pages" */
const char *vmviz_plural(unsigned long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* CLOCK_REALTIME of a report as UTC: 2026-11-26 15:33:54.012345678 UTC */
void vmviz_format_time(const struct vmviz_time *t, char *buf, size_t len)
{
	time_t sec = t->sec;
	struct tm tm;

	if (!gmtime_r(&sec, &tm)) {
		snprintf(buf, len, "%llu.%09lu", t->sec, t->nsec);
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d.%09lu UTC", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, t->nsec);
}

/**
 * vmviz_json_report - a report's identity and provenance as a JSON object
 * @f: where to
 * @r: the report
 * @indent: of the opening brace; members are three blanks further in
 *
 * Numbers are numbers; a missing mm is null.
 */
void vmviz_json_report(FILE *f, const struct vmviz_report *r, const char *indent)
{
	const char *in = indent;

	fprintf(f, "%s{\n%s   \"source\": ", in, in);
	vmviz_json_str(f, r->source);
	fprintf(f, ",\n%s   \"format\": %d,\n%s   \"kernel\": ", in, r->version, in);
	vmviz_json_str(f, r->kernel_release);
	fprintf(f, ",\n%s   \"boot\": ", in);
	vmviz_json_str(f, r->boot_id);
	fprintf(f, ",\n%s   \"time\": %llu.%09lu,\n%s   \"boottime\": %llu.%09lu,\n", in,
		r->time.sec, r->time.nsec, in, r->boottime.sec, r->boottime.nsec);
	fprintf(f, "%s   \"pid\": %d,\n%s   \"tgid\": %d,\n%s   \"kind\": ", in, r->pid, in,
		r->tgid, in);
	vmviz_json_str(f, r->kind);
	fprintf(f, ",\n%s   \"state\": \"%c\",\n%s   \"comm\": ", in,
		r->state >= 0x20 && r->state < 0x7f && r->state != '"' && r->state != '\\' ?
		r->state : '?', in);
	vmviz_json_str(f, r->comm);
	fprintf(f, ",\n%s   \"mm\": ", in);
	vmviz_json_str(f, r->has_mm ? r->mm_id : NULL);
	fprintf(f, ",\n%s   \"users\": %lu,\n%s   \"count\": %lu,\n%s   \"active\": \"%s\"\n%s}",
		in, r->users, in, r->count, in, r->active, in);
}

/**
 * vmviz_wrap - @text after @first, wrapped at blanks to @width columns
 * @f: where to
 * @first: the start of the first line ("verdict: ")
 * @text: the words
 * @width: columns; lines after the first are indented by three blanks
 */
void vmviz_wrap(FILE *f, const char *first, const char *text, int width)
{
	int col = fprintf(f, "%s", first);
	const char *w = text;

	while (*w) {
		size_t len = strcspn(w, " ");

		if (w != text) {
			if (col + 1 + (int)len > width) {
				fputs("\n   ", f);
				col = 3;
			} else {
				fputc(' ', f);
				col++;
			}
		}
		fwrite(w, 1, len, f);
		col += len;
		w += len;
		while (*w == ' ')
			w++;
	}
	fputc('\n', f);
}

/* The bytes of the longest head of @s that fits @width columns, on a character. */
static size_t text_head(const char *s, size_t width)
{
	size_t cols = 0, at = 0, len, c;

	while (s[at]) {
		c = char_cols(s + at, &len);
		if (cols + c > width)
			break;
		cols += c;
		at += len;
	}
	return at;
}

/*
 * One line of vmviz_say(): as it is if it fits; else broken at the last
 * blank that fits, the rest indented two blanks more than the line; a word
 * wider than the room keeps its tail (a file name) after "...".
 */
static void say_line(FILE *f, size_t width, char *s)
{
	size_t lead = strspn(s, " "), indent = 0, room, head, cut;
	bool first = true;

	for (;;) {
		room = width > indent + 10 ? width - indent : 10;
		if (!first)
			fprintf(f, "%*s", (int)indent, "");
		if (vmviz_text_cols(s) <= room) {
			fputs(s, f);
			break;
		}
		head = text_head(s, room);
		for (cut = head; cut > (first ? lead : 0) && s[cut] != ' '; cut--)
			;
		if (cut > (first ? lead : 0)) {
			size_t end = cut;

			while (end > (first ? lead : 0) && s[end - 1] == ' ')
				end--;
			fwrite(s, 1, end, f);
		} else {
			size_t skip = first ? lead : 0, word = strcspn(s + skip, " ");
			char c = s[skip + word];

			s[skip + word] = '\0';
			fprintf(f, "%.*s...%s", (int)skip, s,
				vmviz_text_tail(s + skip, room > skip + 3 ? room - skip - 3 : 0));
			s[skip + word] = c;
			cut = skip + word;
		}
		fputc('\n', f);
		s += cut;
		s += strspn(s, " ");
		if (!*s)
			return;
		first = false;
		indent = lead + 2;
	}
}

/**
 * vmviz_say - prose on a terminal, each line fitted to @width columns
 * @f: where to
 * @width: columns
 * @fmt: printf format of text already escaped (vmviz_esc()), lines ending
 *       in newlines
 *
 * A line wider than @width breaks at blanks (say_line()); one that fits is
 * printed as it is, blanks that align it kept.
 */
void vmviz_say(FILE *f, int width, const char *fmt, ...)
{
	char *text, *line, *nl;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	for (line = text; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		say_line(f, width > 0 ? width : 80, line);
		if (!nl)
			break;
		fputc('\n', f);
	}
	free(text);
}

/* @word is one of the comma-separated words of @list. */
static bool in_list(const char *list, const char *word)
{
	size_t len = strlen(word);

	while (*list) {
		size_t n = strcspn(list, ",");

		if (n == len && !strncmp(list, word, n))
			return true;
		list += n;
		if (*list == ',')
			list++;
	}
	return false;
}

/* The VMA has a page run in one of @states (comma-separated). */
bool vmviz_has_state(const struct vmviz_vma *v, const char *states)
{
	int i;

	for (i = 0; vmviz_states[i]; i++)
		if (v->states & (1U << i) && in_list(states, vmviz_states[i]))
			return true;
	return false;
}

/**
 * vmviz_vma_wanted - the VMA passes the filters
 * @v: the VMA, with its sums (v->states) for --state
 * @f: --name (glob), --seg, --perm (all its letters), --state (a run in
 *	one of them), and the range (overlapping it)
 */
bool vmviz_vma_wanted(const struct vmviz_vma *v, const struct vmviz_filter *f)
{
	const char *l;

	if (f->name && fnmatch(f->name, v->name, 0))
		return false;
	if (f->segs && !in_list(f->segs, v->seg))
		return false;
	for (l = f->perm; l && *l; l++)
		if (!strchr(v->perm, *l))
			return false;
	if (f->range && (v->end <= f->lo || v->start >= f->hi))
		return false;
	if (f->states && !vmviz_has_state(v, f->states))
		return false;
	return true;
}

/* The page run passes the filters: its VMA's, its state, the range. */
bool vmviz_page_wanted(const struct vmviz_vma *v, const struct vmviz_page *p,
		       const struct vmviz_filter *f)
{
	struct vmviz_filter vf = *f;

	vf.states = NULL;
	vf.range = false;
	if (!vmviz_vma_wanted(v, &vf))
		return false;
	if (f->states && !in_list(f->states, p->state))
		return false;
	return !f->range || (p->end > f->lo && p->start < f->hi);
}

/* printf at the end of @buf's string, cut to @len. */
static void __printf(3, 4) append(char *buf, size_t len, const char *fmt, ...)
{
	size_t at = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + at, len - at, fmt, ap);
	va_end(ap);
}

/* Any of --name, --seg, --perm, --state, --range given. */
bool vmviz_filtering(const struct vmviz_filter *f)
{
	return f->name || f->segs || f->perm || f->states || f->range;
}

/**
 * vmviz_filter_words - the filters as typed, for a sentence
 * @o: the output options and filters (o->lo, o->hi: the range pages asked)
 * @buf: " --name 'GLOB' --seg LIST ... in START-END", or "" for none
 * @len: its size
 *
 * The name is escaped (vmviz_esc()); the other values were checked
 * against their valid words and letters when parsed.
 */
char *vmviz_filter_words(const struct vmviz_out *o, char *buf, size_t len)
{
	const struct vmviz_filter *f = &o->filter;
	char *e;

	buf[0] = '\0';
	if (f->name) {
		e = vmviz_esc_dup(f->name);
		append(buf, len, " --name '%s'", e);
		free(e);
	}
	if (f->segs)
		append(buf, len, " --seg %s", f->segs);
	if (f->perm)
		append(buf, len, " --perm %s", f->perm);
	if (f->states)
		append(buf, len, " --state %s", f->states);
	if (f->range || o->lo || o->hi)
		append(buf, len, " in %016lx-%016lx", f->range ? f->lo : o->lo,
		       f->range ? f->hi : o->hi);
	return buf;
}

/**
 * vmviz_none_words - what vmviz_say_none() says, without a newline
 * @o: the output options and filters
 * @what: what the rows are ("VMA", "page run")
 * @buf: "no VMA matches --seg stack", "no VMA matches: the report has none"
 * @len: its size
 */
char *vmviz_none_words(const struct vmviz_out *o, const char *what, char *buf, size_t len)
{
	char words[1200];

	vmviz_filter_words(o, words, sizeof(words));
	snprintf(buf, len, "no %s matches%s", what, *words ? words : ": the report has none");
	return buf;
}

/**
 * vmviz_say_none - a table with no row says why, in words
 * @o: the output options and filters
 * @what: what the rows are ("VMA", "page run")
 *
 * For people on stdout, after the headings; with -r or -n on stderr, so
 * the rows stay a table; JSON's empty array says it by itself.
 */
void vmviz_say_none(const struct vmviz_out *o, const char *what)
{
	FILE *to = o->raw || o->noheadings ? stderr : stdout;
	char buf[1300];

	if (o->json)
		return;
	fprintf(to, "%s%s\n", o->raw || o->noheadings ? "vmviz: " : "",
		vmviz_none_words(o, what, buf, sizeof(buf)));
}
