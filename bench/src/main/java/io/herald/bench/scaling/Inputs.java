package io.herald.bench.scaling;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;

/** One set of values of every {@link Parameter}: immutable, changed with {@link #with}. */
public final class Inputs {

    /** Parameters the model divides by. */
    private static final EnumSet<Parameter> POSITIVE = EnumSet.of(Parameter.CORES_PER_NODE,
            Parameter.MEMORY_PER_NODE_GIB, Parameter.NIC_GBIT_PER_NODE, Parameter.REDIS_NIC_GBIT_PER_SHARD,
            Parameter.MAX_CONNECTIONS_PER_NODE, Parameter.EDGE_CPU_PER_CONNECT_US, Parameter.TARGET_UTILISATION);
    /** Fractions. */
    private static final EnumSet<Parameter> AT_MOST_ONE = EnumSet.of(Parameter.TARGET_UTILISATION,
            Parameter.LANE_SHARE_OF_DELIVERY);

    private final String name;
    private final EnumMap<Parameter, Double> values;

    private Inputs(String name, EnumMap<Parameter, Double> values) {
        this.name = Objects.requireNonNull(name, "name");
        this.values = values;
    }

    /** Today's measured (or assumed) values. */
    public static Inputs today() {
        EnumMap<Parameter, Double> v = new EnumMap<>(Parameter.class);
        for (Parameter p : Parameter.values()) {
            v.put(p, p.today());
        }
        return new Inputs("today", v);
    }

    /** The values once issue 10's targets are met. */
    public static Inputs target() {
        EnumMap<Parameter, Double> v = new EnumMap<>(Parameter.class);
        for (Parameter p : Parameter.values()) {
            v.put(p, p.target());
        }
        return new Inputs("issue 10 target", v);
    }

    public String name() {
        return name;
    }

    public double get(Parameter p) {
        return values.get(p);
    }

    /** A copy with one value changed. */
    public Inputs with(Parameter p, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(p.key() + " must be a finite number >= 0, was " + value);
        }
        if (POSITIVE.contains(p) && value == 0) {
            throw new IllegalArgumentException(p.key() + " must be above 0");
        }
        if (AT_MOST_ONE.contains(p) && value > 1) {
            throw new IllegalArgumentException(p.key() + " is a fraction, at most 1, was " + value);
        }
        EnumMap<Parameter, Double> v = new EnumMap<>(values);
        v.put(p, value);
        return new Inputs(name, v);
    }

    /** A copy with several values changed. */
    public Inputs with(Map<Parameter, Double> changes) {
        Inputs out = this;
        for (Map.Entry<Parameter, Double> e : changes.entrySet()) {
            out = out.with(e.getKey(), e.getValue());
        }
        return out;
    }

    public Inputs named(String newName) {
        return new Inputs(newName, new EnumMap<>(values));
    }
}
