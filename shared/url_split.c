/*
 * netd and the client library: the host and port a URL or an endpoint
 * names, to dial it (see url.h, url_host_port).
 */
#include <string.h>

#include "shared/err.h"
#include "shared/url.h"

int
url_host_port(const char *url, enum url_scheme *scheme, char *host, char *port)
{
	const char *h = url, *colon, *end;

	*scheme = URL_SCHEME_NONE;
	if (strncmp(h, "http://", 7) == 0) {
		h += 7;
		*scheme = URL_SCHEME_HTTP;
	} else if (strncmp(h, "https://", 8) == 0) {
		h += 8;
		*scheme = URL_SCHEME_HTTPS;
	} else if (strstr(h, "://") != NULL)
		return CAIRN_EINVAL;
	if (*h == '[') {
		end = strchr(h, ']');
		colon = end != NULL && end[1] == ':' ? end + 1 : NULL;
		h++;
	} else {
		colon = strrchr(h, ':');
		end = colon;
	}
	if (colon == NULL || end == NULL || end == h || (size_t)(end - h) >= URL_HOST_BYTES ||
	    colon[1] == '\0' || strlen(colon + 1) >= URL_PORT_BYTES ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return CAIRN_EINVAL;
	memcpy(host, h, (size_t)(end - h));
	host[end - h] = '\0';
	strcpy(port, colon + 1);
	return 0;
}
