package authhttp

import (
	"net"
	"net/http"
	"strings"
)

// ClientIP resolves the client address of r (CONTRACT §9.4). Only the
// headers named in trusted are read, in that order; the first one present
// and non-empty decides. Its comma-separated chain is read from the right:
// with count trusted proxies in front of the server, the entry count places
// from the right is the address the outermost trusted proxy saw. A chain
// shorter than count falls back to the direct peer, as does the absence of
// any trusted header. No peer gives "unknown".
func ClientIP(r *http.Request, trusted []string, count int) string {
	count = max(count, 1)
	for _, name := range trusted {
		v := strings.Join(r.Header.Values(name), ",")
		if strings.TrimSpace(v) == "" {
			continue
		}
		var chain []string
		for _, part := range strings.Split(v, ",") {
			if p := strings.TrimSpace(part); p != "" {
				chain = append(chain, p)
			}
		}
		if len(chain) >= count {
			return chain[len(chain)-count]
		}
		break
	}
	return peer(r)
}

// peer is the host part of r.RemoteAddr, IPv6 brackets removed.
func peer(r *http.Request) string {
	if r.RemoteAddr == "" {
		return "unknown"
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return strings.Trim(r.RemoteAddr, "[]")
	}
	return host
}
