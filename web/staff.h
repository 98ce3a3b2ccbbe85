/*
 * NAME
 *	staff.h - the staff pages: GET /r/TOKEN and its two forms
 */
#pragma once

#include "server.h"

void web_staff_routes(void);
