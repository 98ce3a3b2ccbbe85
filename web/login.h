/*
 * NAME
 *	login.h - the login, logout and style sheet routes
 */
#pragma once

#include "server.h"

void web_login_routes(void);
