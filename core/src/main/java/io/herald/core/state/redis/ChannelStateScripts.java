package io.herald.core.state.redis;

/**
 * The Lua scripts of {@link RedisChannelState}. Every change of a channel's state is one of
 * these, run on the channel's shard, so it is atomic.
 *
 * <h2>Keys on each shard</h2>
 * {@code P} is {@code herald.redis.key-prefix}; app ids and channel names never contain
 * {@code :}, so the names cannot collide.
 * <ul>
 * <li>{@code P occ:<app>} hash, channel → {@code "<subscriptions>"} or, for presence channels,
 * {@code "<subscriptions>/<users>"}: the app's occupied channels on this shard, with their counts
 * (what channel queries read, one HSCAN per shard);</li>
 * <li>{@code P sk:<app>:<channel>:<node>} hash, socket id → user id ({@code ""} when not a
 * presence member): a node's subscriptions to the channel, which make leave idempotent;</li>
 * <li>{@code P u:<app>:<channel>} hash, user id → connections cluster-wide;</li>
 * <li>{@code P ui:<app>:<channel>} hash, user id → {@code user_info} JSON ({@code ""} for none);</li>
 * <li>{@code P nu:<app>:<channel>:<node>} hash, user id → connections on that node;</li>
 * <li>{@code P node:<node>} set of {@code <app>:<channel>} the node holds on this shard (what
 * reaping it must undo);</li>
 * <li>{@code P nodes} sorted set, node → last heartbeat or join, in milliseconds of this shard's
 * own clock ({@code TIME}), so nodes' clocks never need to agree;</li>
 * <li>{@code P reap:<node>} the short lock of the reaper cleaning a dead node on this shard;</li>
 * <li>{@code P ann:<app>:<channel>} hash, {@code s:<subject>} → {@code 1}: what the app was last
 * told by webhook ({@code ChannelState.announce});</li>
 * <li>{@code P epoch} a random id, written by the first node to find it missing: it vanishes with
 * everything else when the shard loses its data, so a node that finds another value than the one
 * it saw last knows that its share must be recorded again ({@code EPOCH}, {@code REJOIN}).</li>
 * </ul>
 * Scripts build key names from their arguments rather than receiving them in {@code KEYS}. That
 * is fine on the independent shards Herald uses; Redis Cluster would need hash tags.
 *
 * <p>Scripts call {@code TIME} before writing, which needs effects replication: the default from
 * Redis 5 and the only mode from Redis 7.
 */
final class ChannelStateScripts {

    private ChannelStateScripts() {
    }

    private static final String COMMON = """
            local P = ARGV[1]
            local function now_ms()
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            local function k_occ(app) return P .. 'occ:' .. app end
            local function k_sockets(app, ch, node) return P .. 'sk:' .. app .. ':' .. ch .. ':' .. node end
            local function k_users(app, ch) return P .. 'u:' .. app .. ':' .. ch end
            local function k_infos(app, ch) return P .. 'ui:' .. app .. ':' .. ch end
            local function k_node_users(app, ch, node) return P .. 'nu:' .. app .. ':' .. ch .. ':' .. node end
            local function k_node(node) return P .. 'node:' .. node end
            local K_NODES = P .. 'nodes'
            -- subscriptions, users, presence? of a channel, from its entry in the occupied index
            local function read_counts(occ, ch)
              local v = redis.call('HGET', occ, ch)
              if not v then return 0, 0, false end
              local slash = string.find(v, '/', 1, true)
              if slash then
                return tonumber(string.sub(v, 1, slash - 1)), tonumber(string.sub(v, slash + 1)), true
              end
              return tonumber(v), 0, false
            end
            local function write_counts(occ, ch, subs, users, presence)
              if subs <= 0 then
                redis.call('HDEL', occ, ch)
              elseif presence then
                redis.call('HSET', occ, ch, string.format('%d/%d', subs, users))
              else
                redis.call('HSET', occ, ch, string.format('%d', subs))
              end
            end
            """;

    /**
     * ARGV: prefix, app, channel, node, socket, user id ({@code ""} for none), user_info,
     * presence ({@code 1}/{@code 0}), member limit. Returns {occupied, member added, limit
     * reached, subscriptions}.
     */
    static final String JOIN = COMMON + """
            local app, ch, node, socket, user, info = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
            local presence = ARGV[8] == '1'
            local limit = tonumber(ARGV[9])
            local occ = k_occ(app)
            local sk = k_sockets(app, ch, node)
            redis.call('ZADD', K_NODES, now_ms(), node)
            local subs, users = read_counts(occ, ch)
            if redis.call('HEXISTS', sk, socket) == 1 then
              return {0, 0, 0, subs}
            end
            local added = 0
            if presence and user ~= '' then
              local u = k_users(app, ch)
              if redis.call('HEXISTS', u, user) == 0 then
                if redis.call('HLEN', u) >= limit then
                  return {0, 0, 1, subs}
                end
                added = 1
                users = users + 1
                redis.call('HSET', k_infos(app, ch), user, info)
              end
              redis.call('HINCRBY', u, user, 1)
              redis.call('HINCRBY', k_node_users(app, ch, node), user, 1)
            else
              user = ''
            end
            redis.call('HSET', sk, socket, user)
            redis.call('SADD', k_node(node), app .. ':' .. ch)
            subs = subs + 1
            write_counts(occ, ch, subs, users, presence)
            return {subs == 1 and 1 or 0, added, 0, subs}
            """;

    /** ARGV: prefix, app, channel, node, socket. Returns {vacated, member removed, subscriptions}. */
    static final String LEAVE = COMMON + """
            local app, ch, node, socket = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
            local occ = k_occ(app)
            local sk = k_sockets(app, ch, node)
            local subs, users, presence = read_counts(occ, ch)
            local user = redis.call('HGET', sk, socket)
            if not user then
              return {0, 0, subs}
            end
            redis.call('HDEL', sk, socket)
            if redis.call('EXISTS', sk) == 0 then
              redis.call('SREM', k_node(node), app .. ':' .. ch)
            end
            local removed = 0
            if user ~= '' then
              local nu = k_node_users(app, ch, node)
              if redis.call('HINCRBY', nu, user, -1) <= 0 then
                redis.call('HDEL', nu, user)
              end
              local u = k_users(app, ch)
              if redis.call('HINCRBY', u, user, -1) <= 0 then
                redis.call('HDEL', u, user)
                redis.call('HDEL', k_infos(app, ch), user)
                removed = 1
                users = users - 1
              end
            end
            subs = subs - 1
            write_counts(occ, ch, subs, users, presence)
            if subs <= 0 then
              redis.call('DEL', k_users(app, ch), k_infos(app, ch))
              return {1, removed, 0}
            end
            return {0, removed, subs}
            """;

    /** ARGV: prefix, node. */
    static final String HEARTBEAT = COMMON + """
            redis.call('ZADD', K_NODES, now_ms(), ARGV[2])
            return 1
            """;

    /** ARGV: prefix, timeout in ms, most nodes to return. Returns the nodes silent for longer than the timeout. */
    static final String DEAD_NODES = COMMON + """
            local cutoff = now_ms() - tonumber(ARGV[2])
            return redis.call('ZRANGEBYSCORE', K_NODES, '-inf', '(' .. string.format('%d', cutoff),
              'LIMIT', 0, tonumber(ARGV[3]))
            """;

    /**
     * Removes up to a batch of a dead node's channels. ARGV: prefix, node, timeout in ms, batch
     * size. Returns {-1} when the node is alive again; else {remaining channels, then triples of
     * kind ({@code M} member removed, {@code V} vacated), {@code app:channel}, user id}. When
     * nothing remains the node is forgotten.
     */
    static final String REAP_NODE = COMMON + """
            local node = ARGV[2]
            local score = redis.call('ZSCORE', K_NODES, node)
            if score and tonumber(score) > now_ms() - tonumber(ARGV[3]) then
              return {-1}
            end
            local idx = k_node(node)
            local refs = redis.call('SPOP', idx, tonumber(ARGV[4]))
            local out = {0}
            for _, ref in ipairs(refs) do
              local colon = string.find(ref, ':', 1, true)
              local app, ch = string.sub(ref, 1, colon - 1), string.sub(ref, colon + 1)
              local occ = k_occ(app)
              local subs, users, presence = read_counts(occ, ch)
              local sk = k_sockets(app, ch, node)
              subs = subs - redis.call('HLEN', sk)
              redis.call('DEL', sk)
              local nu = k_node_users(app, ch, node)
              local held = redis.call('HGETALL', nu)
              redis.call('DEL', nu)
              local u = k_users(app, ch)
              for i = 1, #held, 2 do
                local user = held[i]
                if redis.call('HINCRBY', u, user, -tonumber(held[i + 1])) <= 0 then
                  redis.call('HDEL', u, user)
                  redis.call('HDEL', k_infos(app, ch), user)
                  users = users - 1
                  out[#out + 1] = 'M'
                  out[#out + 1] = ref
                  out[#out + 1] = user
                end
              end
              write_counts(occ, ch, subs, users, presence)
              if subs <= 0 then
                redis.call('DEL', u, k_infos(app, ch))
                out[#out + 1] = 'V'
                out[#out + 1] = ref
                out[#out + 1] = ''
              end
            end
            local remaining = redis.call('SCARD', idx)
            if remaining == 0 then
              redis.call('ZREM', K_NODES, node)
            end
            out[1] = remaining
            return out
            """;

    /**
     * ARGV: prefix, a new random id. Returns the shard's epoch, setting it to the new id when the
     * shard has none (first use, or it lost its data).
     */
    static final String EPOCH = COMMON + """
            local key = P .. 'epoch'
            local epoch = redis.call('GET', key)
            if not epoch then
              redis.call('SET', key, ARGV[2])
              epoch = ARGV[2]
            end
            return {epoch}
            """;

    /**
     * A subscription recorded again after the shard lost its data, without announcing: as
     * {@link #JOIN} but with no member limit and no transition reported, and the channel and the
     * member marked as announced present. ARGV: prefix, app, channel, node, socket, user id
     * ({@code ""} for none), user_info, presence ({@code 1}/{@code 0}). Returns {1} when it was
     * recorded, {0} when the socket was already there.
     */
    static final String REJOIN = COMMON + """
            local app, ch, node, socket, user, info = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
            local presence = ARGV[8] == '1'
            local occ = k_occ(app)
            local sk = k_sockets(app, ch, node)
            local ann = P .. 'ann:' .. app .. ':' .. ch
            redis.call('ZADD', K_NODES, now_ms(), node)
            if redis.call('HEXISTS', sk, socket) == 1 then
              return {0}
            end
            local subs, users = read_counts(occ, ch)
            if presence and user ~= '' then
              local u = k_users(app, ch)
              if redis.call('HEXISTS', u, user) == 0 then
                users = users + 1
                redis.call('HSET', k_infos(app, ch), user, info)
              end
              redis.call('HINCRBY', u, user, 1)
              redis.call('HINCRBY', k_node_users(app, ch, node), user, 1)
              redis.call('HSET', ann, 's:' .. user, '1')
            else
              user = ''
            end
            redis.call('HSET', sk, socket, user)
            redis.call('SADD', k_node(node), app .. ':' .. ch)
            write_counts(occ, ch, subs + 1, users, presence)
            redis.call('HSET', ann, 's:', '1')
            return {1}
            """;
}
