package robot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
)

// errInternalTarget is what the dialler answers for an address that is not
// a public one.
var errInternalTarget = errors.New("robot: refusing to connect to an internal address")

// publicAddr reports whether ip is an address on the public internet: not
// loopback, private (RFC 1918, fc00::/7), link-local (169.254/16, where
// cloud metadata services answer, fe80::/10), shared (100.64/10),
// unspecified or multicast.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// nonPublic are the ranges netip has no predicate for.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
}

// Guard checks the URLs robots and webhooks are sent to. Internal targets
// (loopback, private and link-local addresses) are refused unless
// AllowPrivate is set (WENMING_ALLOW_PRIVATE_WEBHOOKS, for an intranet
// deployment or tests). The check is made when a URL is saved and again
// on every connection (Client), so a name that resolves to a public
// address when saved and to an internal one later (DNS rebinding) is
// still refused.
type Guard struct {
	AllowPrivate bool
	// Resolve looks a host name up (nil: the system resolver).
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
}

// CheckURL parses a robot's or webhook's URL and refuses one that is not
// http(s) or that points at an internal address. skipLookup leaves the
// name unresolved (the platforms' own hosts; the dialler still checks).
func (g Guard) CheckURL(ctx context.Context, raw string, skipLookup bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, apperr.Invalid("robot.url_scheme")
	}
	if g.AllowPrivate {
		return u, nil
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if !publicAddr(ip) {
			return nil, apperr.Invalid("robot.url_internal", host)
		}
		return u, nil
	}
	if skipLookup {
		return u, nil
	}
	resolve := g.Resolve
	if resolve == nil {
		resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addrs, err := resolve(ctx, host)
	if err != nil || len(addrs) == 0 {
		return nil, apperr.Invalid("robot.url_unresolved", host)
	}
	for _, ip := range addrs {
		if !publicAddr(ip) {
			return nil, apperr.Invalid("robot.url_internal", host)
		}
	}
	return u, nil
}

// control is the dialler's check of the address it is about to connect
// to, after the name was resolved.
func (g Guard) control(network, address string, _ syscall.RawConn) error {
	if g.AllowPrivate {
		return nil
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", errInternalTarget, address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !publicAddr(ip) {
		return fmt.Errorf("%w: %s", errInternalTarget, address)
	}
	return nil
}

// Client is an HTTP client for robots and webhooks: a short timeout (a
// receiver that hangs costs one attempt, which is retried later), no
// proxy from the environment (a proxy would dial for us, past the check),
// every connection checked, and redirects not followed (a redirect is an
// answer that is not 2xx, so a failed attempt).
func (g Guard) Client(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: g.control}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{Timeout: timeout, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
