package io.herald.core.state.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}); when the server does not know it yet (first
 * use, or after a restart) it is sent once with {@code EVAL}, which also caches it there.
 * Public for the other Redis adapters of {@code core} (the rate limiter's scripts).
 */
public final class LuaScript {

    private static final String[] NO_KEYS = new String[0];

    private final String text;
    private final String sha;

    public LuaScript(String text) {
        this.text = text;
        try {
            this.sha = HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-1 is required of every JVM", ex);
        }
    }

    public String sha() {
        return sha;
    }

    /** Runs the script with no keys and {@code args} as ARGV; the reply as a list (integers are {@code Long}s). */
    public Mono<List<Object>> run(RedisReactiveCommands<String, String> commands, String... args) {
        return run(commands, NO_KEYS, args);
    }

    /** Runs the script with {@code keys} as KEYS and {@code args} as ARGV; the reply as a list. */
    public Mono<List<Object>> run(RedisReactiveCommands<String, String> commands, String[] keys, String... args) {
        return commands.<Object>evalsha(sha, ScriptOutputType.MULTI, keys, args)
                .onErrorResume(RedisNoScriptException.class,
                        ex -> commands.<Object>eval(text, ScriptOutputType.MULTI, keys, args))
                .collectList()
                .map(LuaScript::flatten);
    }

    /** Lettuce emits a multi-bulk reply element by element; should it ever emit it whole, unwrap it. */
    @SuppressWarnings("unchecked")
    private static List<Object> flatten(List<Object> reply) {
        return reply.size() == 1 && reply.get(0) instanceof List<?> inner ? (List<Object>) inner : reply;
    }
}
