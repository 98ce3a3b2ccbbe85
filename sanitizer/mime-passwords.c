/*
 * NAME
 *	mime-passwords.c - the passwords a message's text gives for
 *	password-protected zips (PPAP)
 * SUMMARY
 *	A password follows a label: パスワード (ﾊﾟｽﾜｰﾄﾞ, ＰＷ and every other
 *	full-width or half-width form is read as NFKC gives it; "パスワ－ド"
 *	with a dash for the long vowel), パスコード, パスフレーズ, 暗証番号,
 *	暗証コード, 解凍キー, 解凍用キー, 解除キー, 復号キー, 合言葉, PINコード,
 *	密码, 비밀번호, パス: (only with a colon or は), password, pass word,
 *	p/w, passwort, passwd, passcode, passphrase, pass, pwd, pw, pin (whole
 *	words; "パスワード2：", "PW1:" numbered, "パスワード番号：" too). Between
 *	label and password: a qualifier ("Password for attachment(s):"), a
 *	parenthesis ("パスワード（半角英数）："), then separators (: = は → | 】
 *	] > "is" 、, or white space alone); the password is quoted (「」『』
 *	“” ‘’ "" '' 【】 《》 〔〕 〈〉 ≪≫ 〝〟 <> [] ()) or a run of printable
 *	ASCII that ends at white space, Japanese text or sentence punctuation
 *	("abc123です。", "abc123（半角）", a closing bracket it did not open),
 *	or later on the line after Japanese ("パスワードは半角英数字で「abc123」
 *	です", "パスワードには abc123 を入力"). A label with nothing after it
 *	("パスワード：", "【パスワード】") or on a line that points down ("下記
 *	パスワードにて解凍してください。", "パスワードをお知らせします。") takes
 *	the next lines that hold nothing but one token, or a file's name and
 *	one ("見積書.zip : abc123"; rules between are skipped, a signature's
 *	"--" ends the search); a label in a table's header row ("ファイル名 |
 *	パスワード") takes the cells under it.
 * DESCRIPTION
 *	What must not become a candidate: a label followed by Japanese
 *	("パスワードは別途お送りします", "パスワード付きZIP"), English prose after
 *	a label without a colon ("password reset", "password protected"),
 *	words that are not passwords (a list: below, sent, separately, SMS,
 *	PDF, TBD, ...), an English word followed by more ("see below"),
 *	dates, times and ranges of them, telephone numbers in any punctuation,
 *	URLs, host names, mail addresses, file names, version numbers, runs of
 *	one symbol or "xxxx", "xxxx-xxxx", "****1234", "yyyymmdd"
 *	(placeholders, and the mask this file writes). Characters nobody sees
 *	(soft hyphens, zero-width spaces) are dropped and every line end
 *	(CR alone too) made LF before reading. The time taken grows with the
 *	text's length, never with its square. A wrong candidate costs a try
 *	([ppap] max_tries), never more: candidates are only tried on the
 *	archives of the message, or of the message it is paired with.
 *
 *	Candidates are ASCII only, 3 to 64 characters, in the order they
 *	appear, none twice, at most MIME_MAX_TEXT_PASSWORDS. They never reach
 *	a report or a log.
 */
#include <string.h>

#include "mime-password-chars.h"
#include "mime.h"

#define MAX_PASSWORD 64
#define MIN_PASSWORD 3
#define NEXT_LINE_GAP 3 /* empty lines between a label and its password */
/* How far a token or its closing quote is looked for: a longer run is
 * no password, and a text of labels must not cost time squared. */
#define TOKEN_SCAN (MAX_PASSWORD * 4)
#define LATER_SCAN 96 /* bytes after "は" where a password may still stand */

enum label_kind {
	LABEL_JAPANESE,
	LABEL_ASCII,      /* a whole word: "passport" is no "pass" */
	LABEL_STRONG_SEP, /* "パス": only with ":" or "は" after it */
};

/* Longer labels first where one starts with another. */
static const struct {
	const char *word; /* lower case, NFKC */
	enum label_kind kind;
} labels[] = {
	{ "パスワード", LABEL_JAPANESE },  { "パスコード", LABEL_JAPANESE },
	{ "パスフレーズ", LABEL_JAPANESE }, { "暗証番号", LABEL_JAPANESE },
	{ "解凍キー", LABEL_JAPANESE },    { "解凍コード", LABEL_JAPANESE },
	{ "解除キー", LABEL_JAPANESE },    { "解除コード", LABEL_JAPANESE },
	{ "暗号キー", LABEL_JAPANESE },    { "pinコード", LABEL_JAPANESE },
	/* the long vowel mark typed as a dash (NFKC leaves all but "－"),
	 * and in hiragana */
	{ "パスワ-ド", LABEL_JAPANESE },   { "パスワ―ド", LABEL_JAPANESE },
	{ "パスワ‐ド", LABEL_JAPANESE },   { "パスワ−ド", LABEL_JAPANESE },
	{ "パスワ~ド", LABEL_JAPANESE },   { "ぱすわーど", LABEL_JAPANESE },
	{ "解凍用キー", LABEL_JAPANESE },  { "復号キー", LABEL_JAPANESE },
	{ "復号化キー", LABEL_JAPANESE },  { "暗証コード", LABEL_JAPANESE },
	{ "合言葉", LABEL_JAPANESE },      { "パスキー", LABEL_JAPANESE },
	/* from partners abroad: Chinese, Korean */
	{ "密码", LABEL_JAPANESE },        { "密碼", LABEL_JAPANESE },
	{ "비밀번호", LABEL_JAPANESE },
	{ "パス", LABEL_STRONG_SEP },      { "pass word", LABEL_ASCII },
	{ "p/w", LABEL_ASCII },            { "password", LABEL_ASCII },
	{ "passwort", LABEL_ASCII },
	{ "passwd", LABEL_ASCII },         { "passcode", LABEL_ASCII },
	{ "passphrase", LABEL_ASCII },     { "pass", LABEL_ASCII },
	{ "pwd", LABEL_ASCII },            { "pw", LABEL_ASCII },
	{ "pin", LABEL_ASCII },
};

/* How the password is set off from its label. */
enum separation { SEP_NONE, SEP_SPACE, SEP_STRONG };

/* Quote pairs, after NFKC (which leaves these as they are). */
static const char *const quotes[][2] = {
	{ "「", "」" }, { "『", "』" }, { "“", "”" }, { "‘", "’" }, { "\"", "\"" },
	{ "'", "'" },   { "【", "】" }, { "《", "》" }, { "<", ">" }, { "[", "]" },
	{ "(", ")" },   { "〔", "〕" }, { "〈", "〉" }, { "≪", "≫" }, { "〝", "〟" },
	{ "〝", "〞" }, { "〖", "〗" }, { "〘", "〙" }, { "«", "»" },
};

/* Japanese that may follow a password directly ("abc123です。"). */
static const char *const endings[] = {
	"。", "、", "」", "』", "】", "》", "です", "でござい", "となり", "になり", "となって",
	"になって", "だ", "※", "で解凍", "で開", "で展開", "にて解凍", "にて開", "を入力",
	"と入力", "をご入力", "を使",
};

/* Words after a label that are prose, not a password (lower case). */
static const char *const not_passwords[] = {
	"above",     "again",    "and",     "as",        "ask",       "attached", "below",
	"yes",       "no",       "required", "optional",
	"before",    "by",       "next",    "nil",       "pending",   "previous", "see",
	"tba",       "tbc",      "tbd",     "unchanged", "unknown",   "usual",
	"case",      "change",   "changed", "email",     "e-mail",    "enclosed", "expired",
	"fax",       "follows",  "following", "for",     "from",      "given",   "here",
	"http",      "https",    "id",      "in",        "included",  "is",      "later",
	"mail",      "manager",  "na",      "n/a",       "ng",        "none",    "not",
	"null",      "of",       "ok",      "on",        "pdf",       "please",  "policy",
	"protected", "provided", "required", "reset",    "same",      "sensitive", "sent",
	"separate",  "separately", "set",   "shown",     "sms",       "tel",     "the",
	"this",      "to",       "url",     "will",      "with",      "written", "you",
	"your",      "zip",
};

/* A line that says the password comes some other way. */
static const char *const defers[] = {
	"別途", "別メール", "別送", "別便", "別に", "別の", "別で", "後ほど", "のちほど", "追って",
	"改めて", "あらためて", "後日", "次のメール", "次メール", "次回", "電話", "口頭",
	"separate", "later", "next mail", "next e-mail", "next email", "another mail",
	"another e-mail", "another email", "to follow", "will follow", "to be sent", "will be sent",
	"by phone",
};

/* A line that says the password is on the lines below. */
static const char *const points_below[] = {
	"下記", "以下", "次の", "つぎの", "下の", "below", "following", "as follows",
};

/* A label with を, は or の after it, on a line that announces the
 * password ("パスワードをお知らせします。"), points to the lines below. */
static const char *const announces[] = {
	"お知らせ", "お送り", "送付", "送ります", "送信", "ご連絡", "連絡します", "記載", "記します",
	"通知", "お伝え",
};

/* ---- what a password is not ----------------------------------------------- */

#define DATE_OR_TIME                                                                   \
	"[RHSTrhst]?\\d{1,4}[/.-]\\d{1,2}(?:[/.-]\\d{1,4})?(?:\\([^)]{1,6}\\))?"            \
	"|\\d{1,2}:\\d{2}(?::\\d{2})?"

static GRegex *
not_a_password_pattern(void)
{
	static gsize once = 0;
	static GRegex *re;
	if (g_once_init_enter(&once)) {
		re = g_regex_new(
			/* dates 2024/01/15, 2024-1-5, 01/15, R6.1.15, H31/4/1, 2024/4/1(月);
			 * times 10:00, 9:30:15; and ranges of them: 10:30-11:00,
			 * 13:00~15:00, 2024/4/1-4/5 */
			"^(?:" DATE_OR_TIME ")(?:\\s?[~-]\\s?(?:" DATE_OR_TIME "))?$"
			/* telephone numbers 03-1234-5678, +81-3-1234-5678, (03)1234-5678,
			 * 03(1234)5678, 03.1234.5678, +81(0)3-1234-5678, +819012345678,
			 * TEL03-1234-5678, +81 (before a space), 09012345678 */
			"|^\\+?\\(?\\d{1,5}\\)?(?:-\\d{1,5}){1,3}$"
			"|^(?:tel|fax|phone)?[.:]?(?=[\\d+(])(?=.*[-().+])[\\d().+-]{8,}$"
			"|^\\+\\d{1,4}$"
			"|^0\\d{9,10}$"
			/* URLs, host names and mail addresses */
			"|://|^//|^www\\.|^[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}$"
			"|^(?:[a-z0-9-]+\\.)+(?:jp|com|net|org|info|biz|io|co|go|lg|ne|or|ac|ed|gr|"
			"ad|gov|edu)(?:[/:?#]\\S*)?$"
			/* file names */
			"|\\.(?:zip|7z|lzh|rar|cab|tar|t?gz|bz2|xz|iso|img|pdf|docx?|doc[mx]|dot[mx]?|"
			"xls[xmb]?|xlt[xm]?|pptx?|ppt[m]|pot[xm]?|pps[xm]?|od[tsp]|rtf|txt|csv|xml|json|"
			"jpe?g|png|gif|bmp|tiff?|svg|mp[34]|mov|wav|avi|html?|eml|msg|ics|vcf|exe|msi|"
			"bat|cmd|js|vbs|ps1|lnk|scr|hta|one|jtd)$"
			/* placeholders: xxxx-xxxx, XXX-XXXX, ****1234, a date's pattern
			 * (yyyymmdd, YYYY/MM/DD, mmdd) */
			"|^(?=.*x)[-x_/.*]+$|\\*{3}"
			"|^(?:y{2}|y{4})?[/.-]?m{1,2}[/.-]?d{1,2}$|^y{2,4}[/.-]?m{1,2}$"
			/* version and item numbers: v1.2.3, Ver.2.0, No.123, p.1 */
			"|^(?:v|ver|no|vol|p|pp|rev)\\.\\d+(?:\\.\\d+)*$|^v\\d+(?:\\.\\d+)+$",
			G_REGEX_CASELESS, 0, NULL); /* no JIT: the sandbox maps nothing executable */
		g_once_init_leave(&once, 1);
	}
	return re;
}

#define has_alnum(s) (count_class((s), G_ASCII_ALNUM) > 0)
#define has_digit(s) (count_class((s), G_ASCII_DIGIT) > 0)
/* Only letters: English prose rather than a password. */
#define letters_only(s) (count_class((s), G_ASCII_ALPHA) == strlen(s))

/* "****", "----", "xxxxxx": placeholders and masks (a PIN "0000" is fine). */
static gboolean
one_repeated_placeholder(const char *s)
{
	for (const char *c = s; *c; c++)
		if (*c != *s)
			return FALSE;
	return !g_ascii_isdigit(*s) && (!g_ascii_isalpha(*s) || g_ascii_tolower(*s) == 'x');
}

static gboolean
is_plausible(const char *token)
{
	gsize n = strlen(token);
	if (n < MIN_PASSWORD || n > MAX_PASSWORD || !has_alnum(token) ||
	    one_repeated_placeholder(token))
		return FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS(not_passwords); i++)
		if (g_ascii_strcasecmp(token, not_passwords[i]) == 0)
			return FALSE;
	return !g_regex_match(not_a_password_pattern(), token, 0, NULL);
}

/* ---- reading a token -------------------------------------------------------- */

/* Does s hold one of `words` (with `at_start`: begin with one)? */
static gboolean
holds_any(const char *s, const char *const *words, gsize n, gboolean at_start)
{
	for (gsize i = 0; i < n; i++)
		if (at_start ? g_str_has_prefix(s, words[i]) : strstr(s, words[i]) != NULL)
			return TRUE;
	return FALSE;
}

/* Does p[0, n) open the bracket `close` ends? */
static gboolean
opens_bracket(const char *p, gsize n, char close)
{
	static const char closers[] = ")]}>", openers[] = "([{<";
	const char *at = strchr(closers, close);
	return at && memchr(p, openers[at - closers], n) != NULL;
}

/* Sentence punctuation off the end of a bare token ("abc123."), a
 * closing bracket it did not open ("（パスワード：abc123）"), and brackets
 * around it ("<abc123>"). */
static char *
trim_token(const char *p, gsize n)
{
	while (n && (strchr(".,;:", p[n - 1]) ||
		     (strchr(")]}>", p[n - 1]) && !opens_bracket(p, n - 1, p[n - 1]))))
		n--;
	for (gsize i = 0; i < G_N_ELEMENTS(quotes) && n >= 2; i++)
		if (strlen(quotes[i][0]) == 1 && p[0] == quotes[i][0][0] &&
		    p[n - 1] == quotes[i][1][0]) {
			p++;
			n -= 2;
			break;
		}
	return g_strndup(p, n);
}

/*
 * The token at p, not judged yet: quoted (「abc123」, through the closing
 * quote; *quoted set, NULL when what is inside cannot be a password) or a
 * run of printable ASCII, trimmed. *used = the bytes it takes in p.
 */
static char *
read_token(const char *p, gsize *used, gboolean *quoted)
{
	*used = 0;
	*quoted = FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS(quotes); i++) {
		if (!g_str_has_prefix(p, quotes[i][0]))
			continue;
		const char *start = p + strlen(quotes[i][0]);
		const char *end = g_strstr_len(start, TOKEN_SCAN, quotes[i][1]);
		if (!end || end == start)
			break; /* an opening quote alone: a bare token */
		*quoted = TRUE;
		*used = (gsize)(end - p) + strlen(quotes[i][1]);
		for (const char *c = start; c < end; c++)
			if (!is_token_byte(*c))
				return NULL;
		return g_strndup(start, (gsize)(end - start));
	}
	gsize n = 0;
	while (is_token_byte(p[n]) && n <= TOKEN_SCAN)
		n++;
	if (n > TOKEN_SCAN)
		return NULL;
	/* "abc123(半角英数)": the "(" opens a remark, not the password */
	const char *open = memchr(p, '(', n);
	if (open && !memchr(open, ')', n - (gsize)(open - p)))
		n = (gsize)(open - p);
	*used = n;
	return n ? trim_token(p, n) : NULL;
}

/* A word follows ("see| below"): the token before it is English prose. */
static gboolean
is_prose_after(const char *p)
{
	if (*p != ' ' && *p != '\t')
		return FALSE;
	while (*p == ' ' || *p == '\t')
		p++;
	return g_ascii_isalnum(*p);
}

/* The password at p, set off from its label as `sep` says; NULL when
 * what stands there is no password. */
static char *
token_at(const char *p, enum separation sep, enum label_kind kind)
{
	gsize used;
	gboolean quoted;
	g_autofree char *token = read_token(p, &used, &quoted);
	if (!token || !is_plausible(token))
		return NULL;
	if (quoted)
		return g_steal_pointer(&token);
	/* "abcです" and "abc。" end a password; "SMSで", "PDFに" do not */
	if ((guchar)p[used] >= 0x80 &&
	    !holds_any(p + used, endings, G_N_ELEMENTS(endings), TRUE))
		return NULL;
	if (sep == SEP_NONE && (kind != LABEL_JAPANESE || !has_digit(token)))
		return NULL; /* "パスワードabc1" at most: labels and words run together */
	if (sep == SEP_SPACE && kind == LABEL_ASCII && letters_only(token))
		return NULL; /* "password reset", "password protected" */
	if (letters_only(token) && is_prose_after(p + used))
		return NULL; /* "Password: see below", "PW: ask me" */
	return g_steal_pointer(&token);
}

/* ---- after a label --------------------------------------------------------- */

static enum separation skip_separators(const char **pp);

/* "（半角英数字）：" right after a label: a remark about the password,
 * when a separator follows it, or when it is Japanese and ends the line
 * ("PW (abc123)" quotes the password). */
static const char *
skip_remark(const char *p)
{
	const char *open = p;
	while (*open == ' ' || *open == '\t')
		open++;
	if (*open != '(')
		return p;
	const char *close = memchr(open, ')', strnlen(open, TOKEN_SCAN));
	if (!close || g_utf8_strlen(open, close - open) > 24)
		return p;
	const char *after = close + 1;
	if (skip_separators(&after) == SEP_STRONG)
		return close + 1;
	/* "パスワード（大文字小文字区別あり）" at the end of its line: a remark,
	 * the password below ("PW (Qa12zx)" quotes one) */
	gboolean japanese = FALSE;
	for (const char *c = open; c < close && !japanese; c++)
		japanese = (guchar)*c >= 0x80;
	return japanese && !*after ? after : p;
}

static enum separation
skip_separators(const char **pp)
{
	static const char *const strong[] = { ":", "=", "は", "→", "⇒", "|", "】", "]", ">",
					      "-", "・", "、", "...", "..", "," };
	enum separation sep = SEP_NONE;
	const char *p = *pp;
	for (gboolean moved = TRUE; moved;) {
		moved = FALSE;
		if (*p == ' ' || *p == '\t') {
			p++;
			moved = TRUE;
			if (sep == SEP_NONE)
				sep = SEP_SPACE;
			continue;
		}
		if (g_ascii_strncasecmp(p, "is ", 3) == 0 || g_ascii_strncasecmp(p, "is:", 3) == 0) {
			p += 2;
			moved = TRUE;
			sep = SEP_STRONG;
			continue;
		}
		for (gsize i = 0; i < G_N_ELEMENTS(strong); i++)
			if (g_str_has_prefix(p, strong[i])) {
				p += strlen(strong[i]);
				moved = TRUE;
				sep = SEP_STRONG;
			}
	}
	*pp = p;
	return sep;
}

/* "The password for the attached file is X7k2p9", "Password for
 * attachment(s): X7k2p9": the word after the first " is " or ":" shortly
 * after the label. */
static char *
after_is(const char *p)
{
	g_autofree char *lower = g_ascii_strdown(p, (gssize)strnlen(p, 80));
	const char *is = NULL;
	static const char *const marks[] = { " is ", " is:", ":" };
	for (gsize i = 0; i < G_N_ELEMENTS(marks); i++) {
		const char *at = strstr(lower, marks[i]);
		if (at && (!is || at < is))
			is = at;
	}
	if (!is)
		return NULL;
	const char *rest = p + (is - lower) + (*is == ' ');
	skip_separators(&rest);
	return token_at(rest, SEP_STRONG, LABEL_ASCII);
}

/* "見積書.zip : abc123", "資料.zip　abc123": a file's name before its
 * password on a line of its own; p past the name and separators, or p. */
static const char *
skip_file_name(const char *p)
{
	const char *end = p;
	while (*end && *end != ' ' && *end != '\t' && *end != '|' && *end != ':' &&
	       *end != '=' && end - p < 128)
		end++;
	const char *dot = end;
	while (dot > p && dot[-1] != '.' && end - dot <= 4)
		dot--;
	gsize ext = (gsize)(end - dot);
	if (dot - 1 <= p || dot[-1] != '.' || ext < 2 || ext > 4)
		return p;
	for (const char *c = dot; c < end; c++)
		if (!g_ascii_isalnum(*c))
			return p;
	const char *after = end;
	if (skip_separators(&after) == SEP_NONE || !*after)
		return p;
	return after;
}

/* A line that holds nothing but one password ("abc123", "・「abc123」。",
 * "見積書.zip : abc123"). */
static char *
lone_token(const char *line)
{
	static const char *const bullets[] = { "・", "■", "□", "●", "○", "◆", "◇", "▼", "▽",
					       "→", "⇒", ">" };
	const char *p = line;
	for (gboolean moved = TRUE; moved;) {
		moved = *p == ' ' || *p == '\t';
		if (moved)
			p++;
		for (gsize i = 0; i < G_N_ELEMENTS(bullets); i++)
			if (g_str_has_prefix(p, bullets[i])) {
				p += strlen(bullets[i]);
				moved = TRUE;
			}
	}
	p = skip_file_name(p);
	gsize used;
	gboolean quoted;
	g_autofree char *token = read_token(p, &used, &quoted);
	if (!token || !is_plausible(token))
		return NULL;
	const char *rest = p + used; /* then nothing but white space and a full stop */
	while (*rest == ' ' || *rest == '\t' || g_str_has_prefix(rest, "。"))
		rest += *rest == ' ' || *rest == '\t' ? 1 : strlen("。");
	return *rest ? NULL : g_steal_pointer(&token);
}

/* A line of rules or stars alone ("――――", "＝＝＝"): no letter or digit. */
static gboolean
is_decoration(const char *line)
{
	if (strnlen(line, 256) == 256)
		return FALSE;
	for (const char *c = line; *c; c = g_utf8_next_char(c))
		if (g_unichar_isalnum(g_utf8_get_char(c)))
			return FALSE;
	return TRUE;
}

/* The first line below lines[i] that says something, when it holds a
 * lone password, and the lines right after it that do too ("見積書.zip :
 * abc123", "図面.zip : def456"), one per line; rules between count as
 * empty lines, a signature's "--" ends the search. */
static char *
next_line_token(char **lines, guint i)
{
	guint gap = 0;
	GString *found = g_string_new(NULL);
	for (guint j = i + 1; lines[j] && found->len < TOKEN_SCAN * 4; j++) {
		const char *line = g_strstrip(lines[j]);
		if (strcmp(line, "--") == 0)
			break;
		if (!*line || is_decoration(line)) {
			if (found->len || ++gap > NEXT_LINE_GAP)
				break;
			continue;
		}
		g_autofree char *token = lone_token(line);
		if (!token)
			break;
		g_string_append_printf(found, "%s%s", found->len ? "\n" : "", token);
	}
	return found->len ? g_string_free(found, FALSE) : (g_string_free(found, TRUE), NULL);
}

/* "パスワードは半角英数字で「abc123」です", "パスワードは半角で abc123 です":
 * a quoted token, or a bare one with a digit set off by white space,
 * standing shortly after Japanese that follows the label. */
static char *
token_later(const char *p)
{
	const char *end = p + strnlen(p, LATER_SCAN);
	for (const char *c = p; c < end && *c; c = g_utf8_next_char(c)) {
		/* "半角で abc123": white space after Japanese, not inside a quote */
		gboolean after_space = c - p >= 2 && (c[-1] == ' ' || c[-1] == '\t') &&
				       (guchar)c[-2] >= 0x80;
		gboolean opens = FALSE;
		for (gsize q = 0; q < G_N_ELEMENTS(quotes) && !opens; q++)
			opens = (guchar)quotes[q][0][0] >= 0x80 && g_str_has_prefix(c, quotes[q][0]);
		if (!opens && !(after_space && g_ascii_isalnum(*c)))
			continue;
		g_autofree char *token = token_at(c, SEP_STRONG, LABEL_JAPANESE);
		if (token && (opens || (has_digit(token) && has_alnum(token))))
			return g_steal_pointer(&token);
	}
	return NULL;
}

/* What a line says about where its passwords are, and the lone token
 * of the lines below it, read once per line (a line of many labels must
 * not be read once per label). */
struct line_facts {
	gboolean defers, points_below, announces;
	char cell_sep;    /* a table's row ("a | b", "a\tb"), or 0 */
	guint column;     /* while scanning: the cell the scan is in */
	gboolean below_read;
	char *below;
	GPtrArray *rows_below; /* GStrv: the cells of the rows below, read once */
};

static void
read_line_facts(const char *lower, struct line_facts *f)
{
	f->defers = holds_any(lower, defers, G_N_ELEMENTS(defers), FALSE);
	f->points_below = holds_any(lower, points_below, G_N_ELEMENTS(points_below), FALSE);
	f->announces = holds_any(lower, announces, G_N_ELEMENTS(announces), FALSE);
	f->cell_sep = strstr(lower, " | ") ? '|' : strchr(lower, '\t') ? '\t' : 0;
}

#define TABLE_ROWS 8 /* rows below a header row read for passwords */

/* The rows below a header row that hold cells, split, until one that
 * does not (read once per line). */
static void
read_rows_below(char **lines, guint i, struct line_facts *f)
{
	char sep[] = { f->cell_sep, '\0' };
	f->rows_below = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	for (guint j = i + 1; lines[j] && f->rows_below->len < TABLE_ROWS; j++) {
		const char *row = g_strstrip(lines[j]);
		if (is_decoration(row) && !f->rows_below->len)
			continue; /* a rule under the header, or an empty line */
		if (!strchr(row, f->cell_sep))
			break;
		char **cells = g_strsplit(row, sep, 64);
		for (char **c = cells; *c; c++)
			g_strstrip(*c);
		g_ptr_array_add(f->rows_below, cells);
	}
}

/* A table's header row ("ファイル名 | パスワード", HTML cells as text, or
 * cells set apart by tabs): the passwords in the same cell of the rows
 * below ("見積書.zip | abc123"), one per line. */
static char *
column_tokens(char **lines, guint i, struct line_facts *f)
{
	if (!f->cell_sep)
		return NULL;
	if (!f->rows_below)
		read_rows_below(lines, i, f);
	GString *found = g_string_new(NULL);
	for (guint r = 0; r < f->rows_below->len; r++) {
		char **cells = f->rows_below->pdata[r];
		if (f->column >= g_strv_length(cells))
			continue;
		g_autofree char *token = lone_token(cells[f->column]);
		if (token)
			g_string_append_printf(found, "%s%s", found->len ? "\n" : "", token);
	}
	return found->len ? g_string_free(found, FALSE) : (g_string_free(found, TRUE), NULL);
}

/* "パスワード2：", "PW1:", "Password 2:": the number of one of several
 * passwords, when a separator follows it; "パスワード番号：": a word that
 * names the same thing. */
static const char *
skip_label_suffix(const char *p)
{
	static const char *const suffixes[] = { "番号", "文字列", "情報" };
	const char *q = p;
	while (*q == ' ')
		q++;
	gsize digits = 0;
	while (g_ascii_isdigit(q[digits]))
		digits++;
	const char *after = q + digits;
	if (digits == 0 || digits > 2) {
		after = p;
		for (gsize i = 0; i < G_N_ELEMENTS(suffixes) && after == p; i++)
			if (g_str_has_prefix(p, suffixes[i]))
				after = p + strlen(suffixes[i]);
		if (after == p)
			return p;
	}
	const char *sep = after;
	return skip_separators(&sep) == SEP_STRONG ? after : p;
}

/* ---- finding labels ------------------------------------------------------- */

static gboolean
is_katakana_before(const char *line, const char *at)
{
	if (at == line)
		return FALSE;
	gunichar c = g_utf8_get_char(g_utf8_find_prev_char(line, at));
	return c >= 0x30a1 && c <= 0x30fa;
}

/* Does the label `k` stand at `at` of `lower` (the lower-cased line)? */
static gboolean
label_stands_at(const char *lower, const char *at, gsize k)
{
	if (!g_str_has_prefix(at, labels[k].word))
		return FALSE;
	const char *end = at + strlen(labels[k].word);
	switch (labels[k].kind) {
	case LABEL_ASCII: /* "pw2:" numbers one of several */
		while (g_ascii_isdigit(*end) && end - at < (gssize)strlen(labels[k].word) + 2)
			end++;
		return (at == lower || !g_ascii_isalnum(at[-1])) && !g_ascii_isalnum(*end);
	case LABEL_STRONG_SEP: /* "コンパス", "バイパス" are no label */
		return !is_katakana_before(lower, at);
	case LABEL_JAPANESE:
		return TRUE;
	}
	return FALSE;
}

/* `passwords` (one per line, taken) each once, up to the limit. */
static void
add_candidates(GPtrArray *found, char *passwords)
{
	g_auto(GStrv) list = g_strsplit(passwords ? passwords : "", "\n", -1);
	g_free(passwords);
	for (char **pw = list; *pw && found->len < MIME_MAX_TEXT_PASSWORDS; pw++) {
		gboolean known = !**pw;
		for (guint i = 0; i < found->len && !known; i++)
			known = strcmp(found->pdata[i], *pw) == 0;
		if (!known)
			g_ptr_array_add(found, g_strdup(*pw));
	}
}

/* The passwords a label at `rest` (the line after the label, original
 * case) gives, reading on to the next lines where the label points there
 * (a table's column: one per line), or NULL. */
static char *
password_after_label(char **lines, guint i, struct line_facts *facts, const char *rest,
		     enum label_kind kind)
{
	const char *p = skip_remark(skip_label_suffix(rest));
	enum separation sep = skip_separators(&p);
	if (kind == LABEL_STRONG_SEP && sep != SEP_STRONG)
		return NULL;
	if (kind == LABEL_ASCII && sep == SEP_NONE && *p)
		return NULL;
	char *password = *p ? token_at(p, sep, kind) : NULL;
	if (!password && *p && kind == LABEL_ASCII)
		password = after_is(p);
	if (password || facts->defers)
		return password;
	/* "パスワードは半角で abc123", "パスワードには abc123 を入力" */
	static const char *const particles[] = { "には", "に", "欄に", "として", "を" };
	gboolean particle = kind == LABEL_JAPANESE && sep == SEP_NONE &&
			    holds_any(p, particles, G_N_ELEMENTS(particles), TRUE);
	if ((sep == SEP_STRONG || particle) && (guchar)*p >= 0x80 && (password = token_later(p)))
		return password;
	if ((password = column_tokens(lines, i, facts)))
		return password;
	gboolean announced = facts->announces && (g_str_has_prefix(rest, "を") ||
						  g_str_has_prefix(rest, "は") ||
						  g_str_has_prefix(rest, "の"));
	if (!*p || facts->points_below || announced) {
		if (!facts->below_read)
			facts->below = next_line_token(lines, i);
		facts->below_read = TRUE;
		return g_strdup(facts->below);
	}
	return NULL;
}

/* Every label on line i, in the order they stand. */
static void
scan_line(char **lines, guint i, GPtrArray *found)
{
	g_autofree char *line = g_strdup(lines[i]);
	g_strstrip(line);
	g_autofree char *lower = g_ascii_strdown(line, -1);
	struct line_facts facts = { 0 };
	read_line_facts(lower, &facts);
	for (const char *at = lower; *at && found->len < MIME_MAX_TEXT_PASSWORDS;) {
		gsize k = 0;
		while (k < G_N_ELEMENTS(labels) && !label_stands_at(lower, at, k))
			k++;
		if (k == G_N_ELEMENTS(labels)) {
			facts.column += *at == facts.cell_sep && facts.cell_sep;
			at = g_utf8_next_char(at);
			continue;
		}
		gsize len = strlen(labels[k].word);
		/* the same offset in the original-case line */
		const char *rest = line + (at - lower) + len;
		add_candidates(found, password_after_label(lines, i, &facts, rest, labels[k].kind));
		at += len;
	}
	g_free(facts.below);
	if (facts.rows_below)
		g_ptr_array_unref(facts.rows_below);
}

/* Is c a line end of its own: a CR without LF (old Mac mail), NEL, the
 * Unicode line and paragraph separators? */
static gboolean
is_line_end(gunichar c, const char *next)
{
	return (c == '\r' && *next != '\n') || c == 0x85 || c == 0x2028 || c == 0x2029;
}

/* In place: invisible characters dropped, line ends made "\n" (a CR
 * before LF dropped), ¥ read as ASCII. */
static void
simplify_text(char *s)
{
	char *to = s;
	for (const char *c = s; *c;) {
		const char *next = g_utf8_next_char(c);
		gunichar u = g_utf8_get_char(c);
		if (is_line_end(u, next)) {
			*to++ = '\n';
		} else if (ascii_meant(u)) {
			*to++ = ascii_meant(u);
		} else if (!is_invisible(u) && u != '\r') {
			memmove(to, c, (gsize)(next - c));
			to += next - c;
		}
		c = next;
	}
	*to = '\0';
}

/* A character nothing before it combines with: ASCII, kana, kanji. */
static gboolean
starts_afresh(gunichar c)
{
	return c < 0x80 || (c >= 0x3041 && c <= 0x3096) || (c >= 0x30a1 && c <= 0x30fa) ||
	       (c >= 0x4e00 && c <= 0x9fff);
}

/*
 * NFKC in pieces of about NORMALIZE_PIECE bytes, cut before a character
 * that starts afresh: GLib's normalizer takes time squared in the length
 * of its input where characters combine (1 MB of "パスワード" took over
 * 30 s). A piece that finds no such place is cut at NORMALIZE_PIECE_MAX
 * (a text that long without one is no mail anyone writes; at worst a
 * mark stays uncombined). NULL: not UTF-8.
 */
#define NORMALIZE_PIECE 2048
#define NORMALIZE_PIECE_MAX 16384
static char *
normalize_in_pieces(const char *text)
{
	if (!g_utf8_validate(text, -1, NULL))
		return NULL;
	GString *out = g_string_new(NULL);
	for (const char *start = text; *start;) {
		const char *cut = start;
		while (*cut && (cut - start < NORMALIZE_PIECE ||
				(!starts_afresh(g_utf8_get_char(cut)) &&
				 cut - start < NORMALIZE_PIECE_MAX)))
			cut = g_utf8_next_char(cut);
		g_autofree char *piece = g_utf8_normalize(start, cut - start, G_NORMALIZE_NFKC);
		if (piece)
			g_string_append(out, piece);
		start = cut;
	}
	return g_string_free(out, FALSE);
}

/* The text's lines, cut in place at each "\n", NULL after the last (free
 * the array, not its lines). Not g_strsplit(): its strstr() per line is
 * checked by AddressSanitizer over all the rest of the text, which made
 * the sanitizer build take time squared in the number of lines. */
static GPtrArray *
cut_lines(char *text)
{
	GPtrArray *lines = g_ptr_array_new();
	for (char *p = text;;) {
		g_ptr_array_add(lines, p);
		while (*p && *p != '\n')
			p++;
		if (!*p)
			break;
		*p++ = '\0';
	}
	g_ptr_array_add(lines, NULL);
	return lines;
}

char *
mime_text_passwords(const char *text)
{
	g_autofree char *normal = normalize_in_pieces(text);
	if (!normal)
		return NULL;
	simplify_text(normal);
	g_autoptr(GPtrArray) cut = cut_lines(normal);
	char **lines = (char **)cut->pdata;
	g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; lines[i] && found->len < MIME_MAX_TEXT_PASSWORDS; i++)
		scan_line(lines, i, found);
	if (!found->len)
		return NULL;
	g_ptr_array_add(found, NULL);
	return g_strjoinv("\n", (char **)found->pdata);
}
