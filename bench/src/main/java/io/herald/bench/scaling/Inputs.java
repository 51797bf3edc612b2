package io.herald.bench.scaling;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/** One set of values of every {@link Parameter}: immutable, changed with {@link #with}. */
public final class Inputs {

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
