package io.dlrhub.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RouterMethodsTest {

    @Test
    void aPathMatchesItsRouteTemplateOneSegmentPerParameter() {
        assertThat(RouterMethods.matches("/api/outbox", "/api/outbox")).isTrue();
        assertThat(RouterMethods.matches("/api/outbox", "/api/outbox/")).isTrue();
        assertThat(RouterMethods.matches("/api/outbox/:id/replay", "/api/outbox/7/replay"))
                .isTrue();
        assertThat(RouterMethods.matches("/webhooks/:provider", "/webhooks/smsby"))
                .isTrue();

        assertThat(RouterMethods.matches("/api/outbox", "/api/outbox/7")).isFalse();
        assertThat(RouterMethods.matches("/api/outbox/:id/replay", "/api/outbox//replay"))
                .isFalse();
        assertThat(RouterMethods.matches("/webhooks/:provider", "/webhooks/smsby/x"))
                .isFalse();
        assertThat(RouterMethods.matches(null, "/x")).isFalse();
    }
}
