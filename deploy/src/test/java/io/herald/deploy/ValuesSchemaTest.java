package io.herald.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad values stop the render with a message naming the value and what is wrong: the schema
 * ({@code values.schema.json}) for single values, {@code templates/validate.yaml} for combinations.
 */
class ValuesSchemaTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            edge: { replicas: -1 }                                   | edge.replicas: Must be greater than or equal to 0
            redis: { mode: cluster }                                 | redis.mode: redis.mode must be one of the following: "external", "bundled"
            redis: { bundled: { shards: 0 } }                        | redis.bundled.shards: Must be greater than or equal to 1
            redis: { mode: external, external: { shards: [http://a:6379], state: redis://s:6379 } } | redis.external.shards.0: Does not match pattern
            edge: { replica: 2 }                                     | edge: Additional property replica is not allowed
            publish: { maxRequestSize: 1 megabyte }                  | publish.maxRequestSize: Does not match pattern
            gateway: { autoscaling: { enabled: true, targetCPUUtilizationPercentage: 150 } } | gateway.autoscaling.targetCPUUtilizationPercentage: Must be less than or equal to 100
            ingress: { proxyTimeoutSeconds: 60 }                     | ingress.proxyTimeoutSeconds: Must be greater than or equal to 150
            logging: { format: json }                                | logging.format: logging.format must be one of the following
            seed: { apps: [ { id: shop, key: k } ] }                 | seed.apps.0: secret is required
            """)
    void theSchemaRefusesABadValue(String values, String message) {
        assertThatThrownBy(() -> Chart.template(null, values))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            secrets: { adminToken: short }                                               | secrets.adminToken must be empty (generated) or at least 16 characters: it is herald.auth.admin-token
            secrets: { ratelimitToken: abc }                                             | secrets.ratelimitToken must be empty (generated) or at least 16 characters
            redis: { mode: external }                                                    | redis.external: list the channel shards in redis.external.shards
            redis: { mode: external, external: { shards: [redis://a:6379] } }            | redis.external: set the state Redis
            redis: { mode: external, external: { shards: [redis://a:6379], state: redis://s:6379, sentinel: { nodes: ['s:26379'], shardMasters: [m] } } } | give either shards (URIs) or sentinel.nodes
            edge: { drain: { periodSeconds: 10, timeoutSeconds: 5 } }                     | edge.drain.timeoutSeconds must be at least edge.drain.periodSeconds
            edge: { terminationGracePeriodSeconds: 8 }                                   | edge.terminationGracePeriodSeconds (8) is shorter than preStopSleepSeconds + drain.timeoutSeconds + drain.handoverSeconds + 5
            edge: { drain: { handoverSeconds: 61 } }                                     | handoverSeconds
            gateway: { drain: { periodSeconds: 10, timeoutSeconds: 5 } }                  | gateway.drain.timeoutSeconds must be at least gateway.drain.periodSeconds
            gateway: { terminationGracePeriodSeconds: 30 }                               | gateway.terminationGracePeriodSeconds (30) is shorter than preStopSleepSeconds + drain.timeoutSeconds + 30
            probes: { startup: { failureThreshold: 6 } }                                 | probes.startup allows 30 s
            redis: { bundled: { sentinel: { enabled: true, quorum: 4 } } }               | redis.bundled.sentinel.quorum cannot exceed
            publish: { autoscaling: { minReplicas: 5, maxReplicas: 3 } }                 | publish.autoscaling.minReplicas cannot exceed publish.autoscaling.maxReplicas
            """)
    void aBadCombinationFailsTheRenderWithWhatToChange(String values, String message) {
        assertThatThrownBy(() -> Chart.template(null, values)).hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            redis: { mode: external, external: { shards: [redis://a:6379, rediss://b:6380], state: redis://s:6379 } }
            redis: { mode: external, external: { sentinel: { nodes: ['s1:26379', 's2:26379'], shardMasters: [a, b], stateMaster: st } } }
            redis: { mode: external, external: { existingSecret: ops-redis } }
            secrets: { adminToken: 0123456789abcdef }
            edge: { terminationGracePeriodSeconds: 60, autoscaling: { enabled: false } }
            """)
    void goodValuesPass(String values) {
        assertThat(Chart.template(null, values)).contains("kind: Deployment");
    }
}
