/*
 * cairnctl: the Unicode data ctl/tablew.c measures text with (cell widths
 * as go-runewidth gives them, grapheme break properties as uniseg's),
 * generated into ctl/tablew_uni.c.
 */
#ifndef CAIRN_CTL_TABLEW_UNI_H
#define CAIRN_CTL_TABLEW_UNI_H

#include <stddef.h>
#include <stdint.h>

/* uniseg's grapheme break properties (0: any other). */
enum tablew_gp {
	TABLEW_GP_ANY,
	TABLEW_GP_PREPEND,
	TABLEW_GP_CR,
	TABLEW_GP_LF,
	TABLEW_GP_CONTROL,
	TABLEW_GP_EXTEND,
	TABLEW_GP_RI,
	TABLEW_GP_SPACING_MARK,
	TABLEW_GP_L,
	TABLEW_GP_V,
	TABLEW_GP_T,
	TABLEW_GP_LV,
	TABLEW_GP_LVT,
	TABLEW_GP_ZWJ,
	TABLEW_GP_EXT_PICT,
};

/* Code points first..last (inclusive), sorted, not overlapping; prop is
 * an enum tablew_gp in tablew_grapheme, 0 elsewhere. */
struct tablew_range {
	uint32_t first, last;
	uint8_t prop;
};

extern const struct tablew_range tablew_combining[], tablew_doublewidth[],
    tablew_ambiguous[], tablew_narrow[], tablew_nonprint[], tablew_grapheme[];
extern const size_t tablew_combining_len, tablew_doublewidth_len, tablew_ambiguous_len,
    tablew_narrow_len, tablew_nonprint_len, tablew_grapheme_len;

#endif
