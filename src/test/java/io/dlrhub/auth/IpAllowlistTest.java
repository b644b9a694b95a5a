package io.dlrhub.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpAllowlistTest {

    private static final String XFF = "X-Forwarded-For";

    private static WebhookRequest from(String remote) {
        return new WebhookRequest("POST", "/webhooks/acme", Map.of(), new byte[0], remote);
    }

    private static WebhookRequest from(String remote, String... forwardedFor) {
        return new WebhookRequest("POST", "/webhooks/acme", Map.of(XFF, List.of(forwardedFor)), new byte[0], remote);
    }

    private static IpAllowlist allowing(String... entries) {
        return new IpAllowlist(List.of(entries), List.of());
    }

    private static void assertAllowed(IpAllowlist allowlist, WebhookRequest request) {
        assertThatCode(() -> allowlist.check(request)).doesNotThrowAnyException();
    }

    private static void assertForbidden(IpAllowlist allowlist, WebhookRequest request) {
        assertThatThrownBy(() -> allowlist.check(request)).isInstanceOf(ForbiddenException.class);
    }

    @Test
    void allowsASingleIpv4Address() {
        IpAllowlist allowlist = allowing("203.0.113.9");

        assertAllowed(allowlist, from("203.0.113.9"));
        assertForbidden(allowlist, from("203.0.113.10"));
        assertForbidden(allowlist, from("203.0.113.8"));
    }

    @Test
    void allowsAnIpv4CidrRange() {
        IpAllowlist allowlist = allowing("10.0.0.0/8");

        assertAllowed(allowlist, from("10.0.0.0"));
        assertAllowed(allowlist, from("10.1.2.3"));
        assertAllowed(allowlist, from("10.255.255.255"));
        assertForbidden(allowlist, from("11.0.0.0"));
        assertForbidden(allowlist, from("9.255.255.255"));
        assertForbidden(allowlist, from("192.168.1.1"));
    }

    @Test
    void allowsACidrRangeWrittenWithHostBitsSet() {
        IpAllowlist allowlist = allowing("192.168.1.77/24");

        assertAllowed(allowlist, from("192.168.1.1"));
        assertForbidden(allowlist, from("192.168.2.1"));
    }

    @Test
    void allowsAnyOfSeveralEntries() {
        IpAllowlist allowlist = allowing("203.0.113.9", "10.0.0.0/8", "2001:db8::/32");

        assertAllowed(allowlist, from("203.0.113.9"));
        assertAllowed(allowlist, from("10.20.30.40"));
        assertAllowed(allowlist, from("2001:db8:1::5"));
        assertForbidden(allowlist, from("198.51.100.1"));
    }

    @Test
    void allowsASingleIpv6AddressInAnyNotation() {
        IpAllowlist allowlist = allowing("2001:db8::1");

        assertAllowed(allowlist, from("2001:db8::1"));
        assertAllowed(allowlist, from("2001:0db8:0000:0000:0000:0000:0000:0001"));
        assertAllowed(allowlist, from("[2001:db8::1]"));
        assertForbidden(allowlist, from("2001:db8::2"));
    }

    @Test
    void allowsAnIpv6CidrRange() {
        IpAllowlist allowlist = allowing("2001:db8::/32");

        assertAllowed(allowlist, from("2001:db8::1"));
        assertAllowed(allowlist, from("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
        assertForbidden(allowlist, from("2001:db9::1"));
        assertForbidden(allowlist, from("2001:db7:ffff::1"));
        assertForbidden(allowlist, from("ffff:ffff::1"));
        assertForbidden(allowlist, from("::1"));
    }

    @Test
    void doesNotMixIpv4AndIpv6Ranges() {
        assertForbidden(allowing("10.0.0.0/8"), from("2001:db8::1"));
        assertForbidden(allowing("::/0"), from("10.0.0.1"));
        assertAllowed(allowing("0.0.0.0/0"), from("10.0.0.1"));
    }

    @Test
    void treatsAnIpv4MappedIpv6PeerAsItsIpv4Address() {
        IpAllowlist allowlist = allowing("10.0.0.0/8");

        assertAllowed(allowlist, from("::ffff:10.1.2.3"));
        assertForbidden(allowlist, from("::ffff:192.168.1.1"));
        assertAllowed(allowing("203.0.113.9"), from("::ffff:203.0.113.9"));
    }

    @Test
    void forbidsAnAddressOutsideTheAllowlist() {
        assertThatThrownBy(() -> allowing("203.0.113.9").check(from("198.51.100.1")))
                .isInstanceOf(ForbiddenException.class)
                .isNotInstanceOf(UnauthenticatedException.class);
    }

    @Test
    void forbidsAMissingOrUnparsablePeer() {
        IpAllowlist allowlist = allowing("0.0.0.0/0", "::/0");

        assertForbidden(allowlist, from((String) null));
        assertForbidden(allowlist, from(""));
        assertForbidden(allowlist, from("not-an-address"));
    }

    @Test
    void ignoresForwardedForWhenNoProxyIsTrusted() {
        IpAllowlist allowlist = allowing("203.0.113.9");

        assertForbidden(allowlist, from("198.51.100.1", "203.0.113.9"));
    }

    @Test
    void ignoresASpoofedForwardedForFromAnUntrustedPeer() {
        IpAllowlist allowlist = new IpAllowlist(List.of("203.0.113.9"), List.of("10.0.0.0/8"));

        assertForbidden(allowlist, from("198.51.100.1", "203.0.113.9"));
        assertForbidden(allowlist, from("198.51.100.1", "203.0.113.9, 10.0.0.2"));
        assertThat(allowlist.clientAddress(from("198.51.100.1", "203.0.113.9"))).isEqualTo("198.51.100.1");
    }

    @Test
    void takesTheRightmostUntrustedHopAsTheClientBehindATrustedProxy() {
        IpAllowlist allowlist = new IpAllowlist(List.of("203.0.113.9"), List.of("10.0.0.0/8"));
        WebhookRequest request = from("10.0.0.1", "203.0.113.9, 10.0.0.2");

        assertThat(allowlist.clientAddress(request)).isEqualTo("203.0.113.9");
        assertAllowed(allowlist, request);
    }

    @Test
    void doesNotTakeAnAddressLeftOfTheRightmostUntrustedHop() {
        IpAllowlist allowlist = new IpAllowlist(List.of("203.0.113.9"), List.of("10.0.0.0/8"));
        // the client wrote 203.0.113.9 itself; the proxy appended the real peer 198.51.100.1
        WebhookRequest request = from("10.0.0.1", "203.0.113.9, 198.51.100.1");

        assertThat(allowlist.clientAddress(request)).isEqualTo("198.51.100.1");
        assertForbidden(allowlist, request);
    }

    @Test
    void refusesAProxyAddressAsTheClientWhenOnlyTheProxyIsAllowed() {
        IpAllowlist allowlist = new IpAllowlist(List.of("10.0.0.0/8"), List.of("10.0.0.0/8"));

        assertForbidden(allowlist, from("10.0.0.1", "198.51.100.1"));
    }

    @Test
    void takesThePeerWhenATrustedProxySendsNoForwardedFor() {
        IpAllowlist allowlist = new IpAllowlist(List.of("10.0.0.1"), List.of("10.0.0.0/8"));

        assertThat(allowlist.clientAddress(from("10.0.0.1"))).isEqualTo("10.0.0.1");
        assertAllowed(allowlist, from("10.0.0.1"));
    }

    @Test
    void joinsSeveralForwardedForHeadersInOrder() {
        IpAllowlist trusting = new IpAllowlist(List.of("203.0.113.9"), List.of("10.0.0.0/8"));

        assertThat(trusting.clientAddress(from("10.0.0.1", "203.0.113.9", "10.0.0.2")))
                .isEqualTo("203.0.113.9");
        assertThat(trusting.clientAddress(from("10.0.0.1", "198.51.100.7", "203.0.113.9, 10.0.0.3")))
                .isEqualTo("203.0.113.9");
        assertThat(trusting.clientAddress(from("10.0.0.1", "203.0.113.9", "198.51.100.7")))
                .isEqualTo("198.51.100.7");
        assertAllowed(trusting, from("10.0.0.1", "198.51.100.7", "203.0.113.9"));
        assertForbidden(trusting, from("10.0.0.1", "203.0.113.9", "198.51.100.7"));
    }

    @Test
    void ignoresEmptyHopsAndSpacesInForwardedFor() {
        IpAllowlist trusting = new IpAllowlist(List.of("203.0.113.9"), List.of("10.0.0.0/8"));

        assertThat(trusting.clientAddress(from("10.0.0.1", " 203.0.113.9 ,, 10.0.0.2 ,")))
                .isEqualTo("203.0.113.9");
    }

    @Test
    void acceptsAnIpv6ClientBehindATrustedProxy() {
        IpAllowlist trusting = new IpAllowlist(List.of("2001:db8::/32"), List.of("10.0.0.0/8", "fd00::/8"));

        assertAllowed(trusting, from("10.0.0.1", "2001:db8::7, fd00::1"));
        assertForbidden(trusting, from("fd00::2", "2001:db9::7"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "unknown", "203.0.113.9x", "203.0.113.9:4711", "2001:db8::zz"})
    void doesNotAllowAGarbageForwardedForValue(String hop) {
        IpAllowlist trusting = new IpAllowlist(List.of("0.0.0.0/0", "::/0"), List.of("10.0.0.0/8"));

        assertForbidden(trusting, from("10.0.0.1", hop + ", 10.0.0.2"));
    }

    @Test
    void refusesAHostnameAtConstruction() {
        assertThatThrownBy(() -> allowing("example.com")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> allowing("localhost")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> allowing("example.com/24")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IpAllowlist(List.of("10.0.0.1"), List.of("proxy.internal")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/abc", "10.0.0.0/", "2001:db8::/129", "2001:db8::/x", "/8"
            })
    void refusesABadPrefixAtConstruction(String entry) {
        assertThatThrownBy(() -> allowing(entry)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesAnEmptyAllowlist() {
        assertThatThrownBy(() -> new IpAllowlist(List.of(), List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void acceptsBoundaryPrefixes() {
        assertAllowed(allowing("203.0.113.9/32"), from("203.0.113.9"));
        assertForbidden(allowing("203.0.113.9/32"), from("203.0.113.8"));
        assertAllowed(allowing("2001:db8::1/128"), from("2001:db8::1"));
        assertAllowed(allowing(" 10.0.0.0/8 "), from("10.9.9.9"));
    }
}
