package io.herald.core.names;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelTypeTest {

    @ParameterizedTest
    @CsvSource({
            "my-channel,                  PUBLIC",
            "private-chat,                PRIVATE",
            "private-encrypted-chat,      PRIVATE_ENCRYPTED",
            "presence-room,               PRESENCE",
            "cache-prices,                CACHE",
            "private-cache-prices,        PRIVATE_CACHE",
            "private-encrypted-cache-x,   PRIVATE_ENCRYPTED_CACHE",
            "presence-cache-room,         PRESENCE_CACHE" })
    void eachPrefixIsRecognisedAndTheLongestWins(String channel, ChannelType expected) {
        assertThat(ChannelType.of(channel)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "private-,                    PRIVATE",
            "private-encrypted-,          PRIVATE_ENCRYPTED",
            "presence-,                   PRESENCE",
            "cache-,                      CACHE",
            "private-cache-,              PRIVATE_CACHE",
            "private-encrypted-cache-,    PRIVATE_ENCRYPTED_CACHE",
            "presence-cache-,             PRESENCE_CACHE" })
    void aBarePrefixHasItsType(String channel, ChannelType expected) {
        assertThat(ChannelType.of(channel)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = { "private", "privatechat", "Private-chat", "PRESENCE-room", "presence", "cache",
            "x-private-chat", "my-presence-room", "cachex-1", "encrypted-private-x", "-private-x" })
    void nearMissesArePublic(String channel) {
        assertThat(ChannelType.of(channel)).isEqualTo(ChannelType.PUBLIC);
    }

    @ParameterizedTest
    @CsvSource({
            // type,                   auth,  presence, cache, encrypted
            "PUBLIC,                   false, false,    false, false",
            "PRIVATE,                  true,  false,    false, false",
            "PRIVATE_ENCRYPTED,        true,  false,    false, true",
            "PRESENCE,                 true,  true,     false, false",
            "CACHE,                    false, false,    true,  false",
            "PRIVATE_CACHE,            true,  false,    true,  false",
            "PRIVATE_ENCRYPTED_CACHE,  true,  false,    true,  true",
            "PRESENCE_CACHE,           true,  true,     true,  false" })
    void eachTypeHasItsProperties(ChannelType type, boolean auth, boolean presence, boolean cache, boolean encrypted) {
        assertThat(type.requiresAuthorization()).isEqualTo(auth);
        assertThat(type.isPresence()).isEqualTo(presence);
        assertThat(type.isCache()).isEqualTo(cache);
        assertThat(type.isEncrypted()).isEqualTo(encrypted);
    }
}
