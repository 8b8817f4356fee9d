// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz reader: strings from the target made safe for each output form
 * (terminal, JSON, XML), and sizes in words.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/**
 * vmviz_esc - a string from the target (comm, path, release) safe to print
 * @s: the string, as the target set it
 * @buf: where to write it
 * @len: size of @buf; a string that does not fit ends in "..."
 *
 * Printable ASCII and printable UTF-8 stay; a backslash becomes "\\" and
 * every other byte "\xHH", as libsmartcols writes them in tables. No
 * control byte survives.
 *
 * Return: @buf.
 */
char *vmviz_esc(const char *s, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	while (*p) {
		char piece[8];
		int n = printable_utf8(p);

		if (*p == '\\') {
			snprintf(piece, sizeof(piece), "\\\\");
			n = 1;
		} else if (n) {
			memcpy(piece, p, n);
			piece[n] = '\0';
		} else {
			snprintf(piece, sizeof(piece), "\\x%02x", *p);
			n = 1;
		}
		if (o + strlen(piece) + 4 > len) {
			snprintf(buf + o, len - o, "...");
			return buf;
		}
		memcpy(buf + o, piece, strlen(piece));
		o += strlen(piece);
		p += n;
	}
	buf[o] = '\0';
	return buf;
}

/* vmviz_esc() into a buffer of its own, for one-off messages; free it. */
char *vmviz_esc_dup(const char *s)
{
	size_t len = strlen(s) * 4 + 4;
	char *buf = malloc(len);

	if (!buf)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	return vmviz_esc(s, buf, len);
}

/**
 * vmviz_json_str - a JSON string of @s, quotes included
 * @f: where to
 * @s: the string (NULL prints null)
 *
 * Control bytes are \u00XX escapes; bytes that are not valid UTF-8 are
 * written as the code point of the same number (JSON text is UTF-8).
 */
void vmviz_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	while (*p) {
		int n = printable_utf8(p);

		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p);
			n = 1;
		} else if (n) {
			fwrite(p, 1, n, f);
		} else {
			fprintf(f, "\\u%04x", *p);
			n = 1;
		}
		p += n;
	}
	fputc('"', f);
}

/* @s as XML character data or attribute value: markup and controls escaped. */
void vmviz_xml_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = printable_utf8(p);

		if (*p == '&')
			fputs("&amp;", f);
		else if (*p == '<')
			fputs("&lt;", f);
		else if (*p == '>')
			fputs("&gt;", f);
		else if (*p == '"')
			fputs("&quot;", f);
		else if (*p == '\\')
			fputs("\\\\", f);
		else if (n)
			fwrite(p, 1, n, f);
		else
			fprintf(f, "\\x%02x", *p);
		p += n ? n : 1;
	}
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
