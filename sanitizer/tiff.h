/*
 * NAME
 *	tiff.h - the TIFF handler's parts (tiff.c, tiff-survey.c)
 */
#pragma once

#include "cdr.h"

struct image_tally;

/* Count in `removed` every tag the rebuild drops (metadata, color-profile,
 * extra-image) and bytes past the last structure (trailing-data). Never
 * fails: a structure it cannot follow is libtiff's to refuse. */
void tiff_survey(const guint8 *data, gsize len, struct image_tally *removed);
