package io.dlrhub.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AllowedMethodsTest {

    @Test
    void aPathMatchesItsRouteTemplateOneSegmentPerParameter() {
        assertThat(AllowedMethods.matches("/api/outbox", "/api/outbox")).isTrue();
        assertThat(AllowedMethods.matches("/api/outbox", "/api/outbox/")).isTrue();
        assertThat(AllowedMethods.matches("/api/outbox/:id/replay", "/api/outbox/7/replay")).isTrue();
        assertThat(AllowedMethods.matches("/webhooks/:provider", "/webhooks/smsby")).isTrue();

        assertThat(AllowedMethods.matches("/api/outbox", "/api/outbox/7")).isFalse();
        assertThat(AllowedMethods.matches("/api/outbox/:id/replay", "/api/outbox//replay")).isFalse();
        assertThat(AllowedMethods.matches("/webhooks/:provider", "/webhooks/smsby/x")).isFalse();
        assertThat(AllowedMethods.matches(null, "/x")).isFalse();
    }
}
