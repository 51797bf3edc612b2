package io.herald.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PathGuardTest {

    @Test
    void dotSegmentsAndEncodedSeparatorsAreSuspicious() {
        assertThat(PathGuard.suspicious("/admin/../internal/v1/apps")).isTrue();
        assertThat(PathGuard.suspicious("/apps/./x")).isTrue();
        assertThat(PathGuard.suspicious("/admin/%2E%2E/internal")).isTrue();
        assertThat(PathGuard.suspicious("/admin%2finternal")).isTrue();
        assertThat(PathGuard.suspicious("/admin/%5c..")).isTrue();
        assertThat(PathGuard.suspicious("/admin/%252e%252e/internal")).isTrue();
    }

    @Test
    void heraldPathsAreNot() {
        assertThat(PathGuard.suspicious("/apps/app-1/channels/private-a%40b")).isFalse();
        assertThat(PathGuard.suspicious("/apps/app-1/events")).isFalse();
        assertThat(PathGuard.suspicious("/app/key")).isFalse();
        assertThat(PathGuard.suspicious("/apps/app-1/channels/presence-a.b..c")).isFalse();
    }
}
