// SPDX-License-Identifier: GPL-2.0
/*
 * The pure parts of the core: the parsers of attribute writes, the derived
 * state and its name, and mkdir's rule for names. They touch no configfs
 * object and no thread, so the KUnit suites (driver/kunit/) test them
 * alone, through the exports of EXPORT_SYMBOL_FOR_KTL_KUNIT() (kthread_lab.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/string.h>

#include "kthread_lab.h"

/* ---- parsing: every bad write logs why and changes nothing ---- */

/* configfs stores at most this many bytes of one write (SIMPLE_ATTR_SIZE - 1) */
#define KTL_WRITE_MAX	4095

/*
 * configfs hands a store the @count bytes written, NUL-terminated after
 * them. The whole count is the value: a NUL inside it would make the
 * string parsers below ignore what follows ("5\0junk"), so it is refused.
 */
static int ktl_parse_text(const char *owner, const char *name,
			  const char *attr, const char *page, size_t count)
{
	const char *nul;

	/*
	 * configfs passes on only the first KTL_WRITE_MAX bytes of a longer
	 * write: the rest would come back as a value of its own.
	 */
	if (count >= KTL_WRITE_MAX) {
		pr_warn_ratelimited("%s%s%s: %s: value too long (%zu bytes; at most %u)\n",
				    owner, name ? "/" : "", name ?: "", attr,
				    count, KTL_WRITE_MAX - 1);
		return -EINVAL;
	}
	nul = memchr(page, '\0', count);
	if (!nul)
		return 0;
	pr_warn_ratelimited("%s%s%s: %s: the write holds a NUL byte (at offset %td of %zu)\n",
			    owner, name ? "/" : "", name ?: "", attr,
			    nul - page, count);
	return -EINVAL;
}

int ktl_parse_for(const char *owner, const char *name, const char *attr,
		  const char *page, size_t count, s64 min, s64 max, s64 *out)
{
	s64 val;
	int ret;

	ret = ktl_parse_text(owner, name, attr, page, count);
	if (ret)
		return ret;
	ret = kstrtos64(page, 10, &val);
	if (ret == -ERANGE) {
		pr_warn_ratelimited("%s%s%s: %s: value out of range [%lld, %lld]\n",
				    owner, name ? "/" : "", name ?: "", attr, min, max);
		return -ERANGE;
	}
	if (ret) {
		pr_warn_ratelimited("%s%s%s: %s: not a decimal integer\n",
				    owner, name ? "/" : "", name ?: "", attr);
		return -EINVAL;
	}
	if (val < min || val > max) {
		pr_warn_ratelimited("%s%s%s: %s: %lld out of range [%lld, %lld]\n",
				    owner, name ? "/" : "", name ?: "", attr,
				    val, min, max);
		return -ERANGE;
	}
	*out = val;
	return 0;
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_parse_for);

int ktl_parse_s64(struct ktl_item *it, const char *attr, const char *page,
		  size_t count, s64 min, s64 max, s64 *out)
{
	return ktl_parse_for(it->behaviour->name, config_item_name(&it->item),
			     attr, page, count, min, max, out);
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_parse_s64);

ssize_t ktl_store_bool_for(const char *owner, const char *name,
			   const char *attr, const char *page, size_t count,
			   bool *dst)
{
	s64 val;
	int err;

	err = ktl_parse_for(owner, name, attr, page, count, 0, 1, &val);
	if (err)
		return err;
	WRITE_ONCE(*dst, val);
	return count;
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_store_bool_for);

ssize_t ktl_store_bool(struct ktl_item *it, const char *attr,
		       const char *page, size_t count, bool *dst)
{
	return ktl_store_bool_for(it->behaviour->name,
				  config_item_name(&it->item), attr, page,
				  count, dst);
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_store_bool);

int ktl_parse_choice_for(const char *owner, const char *name,
			 const char *attr, const char *page, size_t count,
			 const char *const *choices, unsigned int nr_choices)
{
	unsigned int i;
	int ret;

	ret = ktl_parse_text(owner, name, attr, page, count);
	if (ret)
		return ret;
	for (i = 0; i < nr_choices; i++)
		if (sysfs_streq(page, choices[i]))
			return i;
	pr_warn_ratelimited("%s%s%s: %s: unknown value\n",
			    owner, name ? "/" : "", name ?: "", attr);
	return -EINVAL;
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_parse_choice_for);

int ktl_parse_choice(struct ktl_item *it, const char *attr, const char *page,
		     size_t count, const char *const *choices,
		     unsigned int nr_choices)
{
	return ktl_parse_choice_for(it->behaviour->name,
				    config_item_name(&it->item), attr, page,
				    count, choices, nr_choices);
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_parse_choice);

/* `start`, `stop` and `release` take exactly 1. */
int ktl_parse_one(struct ktl_item *it, const char *attr, const char *page,
		  size_t count)
{
	s64 val;

	return ktl_parse_s64(it, attr, page, count, 1, 1, &val);
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_parse_one);

/* ---- state ---- */

/* The one place the state is derived from the item's flags. */
enum ktl_state ktl_state(const struct ktl_item *it)
{
	if (it->stop_done)
		return KTL_STOPPED;
	if (it->stop_requested)
		return KTL_STOPPING;
	if (READ_ONCE(it->fn_returned))
		return KTL_EXITED;
	if (it->parked)
		return KTL_PARKED;
	if (it->woken)
		return KTL_RUNNING;
	return KTL_CREATED;
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_state);

/* The state's name, as `state` and the snapshot show it. */
const char *ktl_state_name(enum ktl_state state)
{
	static const char *const names[] = {
		[KTL_CREATED]	= "created",
		[KTL_RUNNING]	= "running",
		[KTL_PARKED]	= "parked",
		[KTL_EXITED]	= "exited",
		[KTL_STOPPING]	= "stopping",
		[KTL_STOPPED]	= "stopped",
	};

	if (WARN_ON_ONCE(state >= ARRAY_SIZE(names)))
		return "unknown";
	return names[state];
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_state_name);

/* ---- names ---- */

/*
 * Names go verbatim into the snapshot's space-separated lines, so the ASCII
 * control bytes (0x01-0x1f, 0x7f) and the space are refused, and nothing
 * else: every byte from 0x80 up is accepted, UTF-8 or not. (isspace()
 * follows Latin-1, where 0xa0 is a space: it refused a UTF-8 name ending
 * in a-grave, c3 a0, and accepted one ending in e-acute, c3 a9.)
 */
bool ktl_name_ok(const char *name)
{
	const unsigned char *c;

	for (c = (const unsigned char *)name; *c; c++)
		if (*c < 0x20 || *c == 0x7f || *c == ' ')
			return false;
	return true;
}
EXPORT_SYMBOL_FOR_KTL_KUNIT(ktl_name_ok);
