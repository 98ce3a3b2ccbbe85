/*
 * NAME
 *	zip-format.h - the zip format's signatures, sizes and flags, for the
 *	zip module's files (zip-check.c, zip-read.c, zip-write.c)
 */
#pragma once

#define ZIP_EOCD_SIG 0x06054b50u
#define ZIP_EOCD_LEN 22
#define ZIP_EOCD_MAX_COMMENT 65535
#define ZIP64_LOCATOR_SIG 0x07064b50u
#define ZIP64_LOCATOR_LEN 20
#define ZIP64_EOCD_SIG 0x06064b50u
#define ZIP64_EOCD_LEN 56
#define ZIP_CENTRAL_SIG 0x02014b50u
#define ZIP_CENTRAL_LEN 46
#define ZIP_LOCAL_SIG 0x04034b50u
#define ZIP_LOCAL_LEN 30
#define ZIP_FLAG_ENCRYPTED 0x0001u
#define ZIP_FLAG_DESCRIPTOR 0x0008u
#define ZIP_FLAG_STRONG 0x0040u
#define ZIP_FLAG_UTF8 0x0800u
#define ZIP_METHOD_STORED 0
#define ZIP_METHOD_DEFLATED 8
#define ZIP_METHOD_AES 99
#define ZIP_EXTRA_ZIP64 0x0001
#define ZIP_U32_MAX 0xffffffffu
#define ZIP_U16_MAX 0xffffu
