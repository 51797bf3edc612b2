package io.herald.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The metric names a Grafana dashboard's PromQL uses, and those a Prometheus scrape exposes, so
 * that a test can hold one against the other.
 */
final class GrafanaDashboard {

    /** PromQL words that look like names: functions, aggregations and keywords. */
    private static final Set<String> PROMQL = Set.of("sum", "min", "max", "avg", "count", "rate", "irate",
            "increase", "histogram_quantile", "by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "offset", "bool", "topk", "bottomk", "quantile", "abs", "clamp_min",
            "clamp_max", "delta", "deriv", "label_values", "vector", "scalar", "time", "sort", "sort_desc");

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private GrafanaDashboard() {
    }

    /** Every metric name in the dashboard's queries (panels' targets, rows' panels, variables). */
    static Set<String> metricNames(Path dashboard) throws IOException {
        JsonNode root = JsonMapper.builder().build().readTree(Files.readString(dashboard));
        List<String> expressions = new ArrayList<>();
        collect(root, expressions);
        Set<String> names = new TreeSet<>();
        for (String expression : expressions) {
            names.addAll(metricNames(expression));
        }
        return names;
    }

    private static void collect(JsonNode node, List<String> expressions) {
        if (node.isObject()) {
            for (var entry : node.properties()) {
                JsonNode value = entry.getValue();
                if ((entry.getKey().equals("expr") || entry.getKey().equals("definition")) && value.isString()) {
                    expressions.add(value.asString());
                }
                else {
                    collect(value, expressions);
                }
            }
        }
        else if (node.isArray()) {
            node.forEach(child -> collect(child, expressions));
        }
    }

    /** The metric names of one PromQL expression. */
    static Set<String> metricNames(String expression) {
        String stripped = expression
                .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // strings (label values)
                .replaceAll("\\{[^}]*\\}", " ") // label matchers
                .replaceAll("\\[[^\\]]*\\]", " ") // ranges
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ") // label lists
                .replaceAll("\\$\\w+", " ") // Grafana variables
                .replaceAll("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,[^)]*\\)", " $1 ");
        Set<String> names = new TreeSet<>();
        Matcher matcher = NAME.matcher(stripped);
        while (matcher.find()) {
            String word = matcher.group();
            int after = matcher.end();
            while (after < stripped.length() && stripped.charAt(after) == ' ') {
                after++;
            }
            boolean function = after < stripped.length() && stripped.charAt(after) == '(';
            boolean number = matcher.start() > 0 && Character.isDigit(stripped.charAt(matcher.start() - 1));
            if (!function && !number && !PROMQL.contains(word)) {
                names.add(word);
            }
        }
        return names;
    }

    /** The metric names of a Prometheus text exposition. */
    static Set<String> exposedNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher matcher = NAME.matcher(line);
            if (matcher.lookingAt()) {
                names.add(matcher.group());
            }
        }
        return names;
    }
}
