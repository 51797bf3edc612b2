package io.herald.standalone;

import tools.jackson.databind.json.JsonMapper;

/** Reads one text field of a JSON object. */
final class RawJson {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static String field(String json, String name) {
        return JSON.readTree(json).get(name).asString();
    }

    private RawJson() {
    }
}
