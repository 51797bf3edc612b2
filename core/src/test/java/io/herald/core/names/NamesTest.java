package io.herald.core.names;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

    private static final String ALLOWED_PUNCTUATION = "_-=@,.;";

    @Test
    void aChannelNameOf164CharactersIsValid() {
        String name = "private-" + "a".repeat(164 - "private-".length());

        assertThat(name).hasSize(164);
        assertThat(Names.isValidChannelName(name)).isTrue();
        assertThat(Names.channelNameProblem(name)).isNull();
    }

    @Test
    void aChannelNameOf165CharactersIsTooLong() {
        String name = "private-" + "a".repeat(165 - "private-".length());

        assertThat(Names.isValidChannelName(name)).isFalse();
        assertThat(Names.channelNameProblem(name)).contains("165").contains("164");
    }

    @Test
    void everyAllowedCharacterIsAccepted() {
        StringBuilder all = new StringBuilder();
        for (char c = 'a'; c <= 'z'; c++) {
            all.append(c);
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            all.append(c);
        }
        for (char c = '0'; c <= '9'; c++) {
            all.append(c);
        }
        all.append(ALLOWED_PUNCTUATION);

        for (char c : all.toString().toCharArray()) {
            assertThat(Names.isValidChannelName("x" + c + "y")).as("'%s'", c).isTrue();
            assertThat(Names.isValidChannelName(String.valueOf(c))).as("'%s' alone", c).isTrue();
        }
        assertThat(Names.isValidChannelName(all.toString())).isTrue();
    }

    @Test
    void everyOtherAsciiCharacterIsRejected() {
        for (char c = 0; c < 128; c++) {
            boolean allowed = Character.isLetterOrDigit(c) || ALLOWED_PUNCTUATION.indexOf(c) >= 0;
            assertThat(Names.isValidChannelName("ab" + c)).as("char %d", (int) c).isEqualTo(allowed);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "#server-to-user-1", "my#channel", "my channel", " leading", "trailing ", "tab\there",
            "café", "канал", "日本", "emoji-😀", "full\uFF21width", "colon:name", "slash/name", "star*", "plus+",
            "quote\"", "percent%20" })
    void rejectsReservedSpacesNonAsciiAndOtherPunctuation(String name) {
        assertThat(Names.isValidChannelName(name)).isFalse();
        assertThat(Names.channelNameProblem(name)).contains("invalid character");
    }

    @Test
    void theProblemSaysWhereTheBadCharacterIs() {
        assertThat(Names.channelNameProblem("abc#def")).contains("index 3");
    }

    @ParameterizedTest
    @NullAndEmptySource
    void aMissingChannelNameIsInvalid(String name) {
        assertThat(Names.isValidChannelName(name)).isFalse();
        assertThat(Names.channelNameProblem(name)).contains("missing");
    }

    @Test
    void eventNamesUpTo200CharactersAreValid() {
        assertThat(Names.eventNameProblem("e".repeat(200))).isNull();
        assertThat(Names.eventNameProblem("my-event")).isNull();
        assertThat(Names.eventNameProblem("client-with spaces and ünïcode")).isNull();
    }

    @Test
    void eventNamesOver200CharactersAreTooLong() {
        assertThat(Names.eventNameProblem("e".repeat(201))).contains("201").contains("200");
    }

    @ParameterizedTest
    @NullAndEmptySource
    void aMissingEventNameIsInvalid(String event) {
        assertThat(Names.eventNameProblem(event)).contains("missing");
    }

    @ParameterizedTest
    @ValueSource(strings = { "123.456", "1.2", "0.0", "9999999999.9999999999", "007.1" })
    void socketIdsMatchingDigitsDotDigitsAreValid(String socketId) {
        assertThat(Names.isValidSocketId(socketId)).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = { "123", ".456", "123.", ".", "123.456.789", "1..2", "a.b", "12a.3", "1.2b", " 1.2",
            "1.2 ", "1.2\n", "-1.2", "1.-2", "+1.2", "1,2", "1e3.2", "\u0661\u0662.\u0663", "１.２" })
    void otherSocketIdsAreInvalid(String socketId) {
        assertThat(Names.isValidSocketId(socketId)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = { "1", "app-1", "my_app", "ABC123", "a-b_c" })
    void appIdsOfLettersDigitsDashAndUnderscoreAreValid(String appId) {
        assertThat(Names.isValidAppId(appId)).isTrue();
    }

    @Test
    void appIdsUpTo64CharactersAreValid() {
        assertThat(Names.isValidAppId("a".repeat(64))).isTrue();
        assertThat(Names.isValidAppId("a".repeat(65))).isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = { "app:1", "app 1", "app/1", "app.1", "app#1", "äpp", "app*", "app\n" })
    void otherAppIdsAreInvalid(String appId) {
        // ':' in particular would make the Redis channel name "appId:channel" ambiguous
        assertThat(Names.isValidAppId(appId)).isFalse();
    }
}
