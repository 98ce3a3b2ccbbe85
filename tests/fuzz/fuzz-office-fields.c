/*
 * NAME
 *	fuzz-office-fields - libFuzzer target: the shared Word field rules
 *	on any field code
 * DESCRIPTION
 *	The first byte picks the policy (bit 0: [office] neutralize_links);
 *	the rest is a field code as a handler hands it over, where each 0x1a
 *	byte stands for a nested field beginning at that point. The code is
 *	judged as a whole, and again from a copy, and the verdict must be one
 *	of the four with an action for every removal.
 */
#include <string.h>

#include "cdr.h"
#include "fuzz-common.h"
#include "office-fields.h"
#include "policy.h"

#define NESTED_MARK 0x1a

static struct cdr_policy *policies[2];

static void
judge_checked(const struct cdr_policy *p, const struct office_field_code *c)
{
	struct office_field_judgement j = { 0 };
	enum office_field_verdict v = office_field_judge(p, c, &j);
	if (v > OFFICE_FIELD_REMOVED || (v != OFFICE_FIELD_KEPT && !office_field_action(v)) ||
	    (v != OFFICE_FIELD_KEPT && !j.why) || strlen(j.keyword) >= sizeof(j.keyword))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!policies[0]) {
		const char *conf = "[office]\nneutralize_links = true\n";
		policies[0] = cdr_policy_new_default();
		policies[1] = cdr_policy_load_data(conf, strlen(conf), "fuzz", NULL);
	}
	if (size < 1)
		return 0;
	const struct cdr_policy *p = policies[data[0] & 1];
	struct office_field_code c = { 0 };
	const uint8_t *s = data + 1, *end = data + size;
	while (s < end) {
		const uint8_t *mark = memchr(s, NESTED_MARK, (size_t)(end - s));
		const uint8_t *stop = mark ? mark : end;
		office_field_code_append(&c, (const char *)s, (gsize)(stop - s));
		if (mark)
			office_field_code_nested(&c);
		s = mark ? mark + 1 : end;
	}
	judge_checked(p, &c);
	struct office_field_code copy;
	office_field_code_copy(&copy, &c);
	office_field_code_append_char(&copy, data[size - 1]);
	judge_checked(p, &copy);
	office_field_code_clear(&copy);
	office_field_code_clear(&c);
	return 0;
}
