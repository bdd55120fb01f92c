package dev.ssekit.protocol;

import java.lang.reflect.Array;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.Objects;

/**
 * A Java type to convert event data to, generic types included. A {@code Class} cannot say
 * {@code List<Order>}; an anonymous subclass can, because Java keeps the type argument of a
 * superclass at run time:
 *
 * <pre>{@code
 * PayloadType<List<Order>> orders = new PayloadType<List<Order>>() {};
 * List<Order> batch = payloads.decode(event, orders);
 * PayloadType<Order> one = PayloadType.of(Order.class);
 * }</pre>
 *
 * <p>Instances are immutable; two are equal when they stand for the same type.
 *
 * @param <T> the Java type
 */
public abstract class PayloadType<T> {
  private final Type type;

  /**
   * Captures the type argument of the subclass being created, as in
   * {@code new PayloadType<List<Order>>() {}}.
   *
   * @throws IllegalStateException if the subclass does not give {@code PayloadType} a type argument
   * @throws IllegalArgumentException if the type argument mentions a type variable, which is erased
   *     at run time and so could not be honoured
   */
  protected PayloadType() {
    Type superclass = getClass().getGenericSuperclass();
    if (!(superclass instanceof ParameterizedType parameterized) || parameterized.getRawType() != PayloadType.class) {
      throw new IllegalStateException(
          "a PayloadType must extend PayloadType with a type argument, e.g. new PayloadType<List<Order>>() {}");
    }
    this.type = checked(parameterized.getActualTypeArguments()[0]);
  }

  private PayloadType(Class<T> type) {
    if (Objects.requireNonNull(type, "type").isPrimitive()) {
      throw new IllegalArgumentException("a payload is an object: use the wrapper class of " + type);
    }
    this.type = type;
  }

  /**
   * Returns the payload type for a plain class.
   *
   * @param <T> the Java type
   * @param type the class; not a primitive
   * @return the payload type standing for {@code type}
   * @throws IllegalArgumentException if {@code type} is primitive
   */
  public static <T> PayloadType<T> of(Class<T> type) {
    return new OfClass<>(type);
  }

  /**
   * Returns the type this stands for.
   *
   * @return a {@code Class} or a parameterized, array or wildcard type without type variables
   */
  public final Type type() {
    return type;
  }

  /** Returns the class a value of this type is an instance of: {@code List} for {@code List<Order>}. */
  final Class<?> rawType() {
    return raw(type);
  }

  @Override
  public final boolean equals(Object o) {
    return o instanceof PayloadType<?> other && type.equals(other.type);
  }

  @Override
  public final int hashCode() {
    return type.hashCode();
  }

  @Override
  public final String toString() {
    return "PayloadType<" + type.getTypeName() + ">";
  }

  private static Type checked(Type type) {
    if (containsVariable(type)) {
      throw new IllegalArgumentException("a PayloadType needs a concrete type, but " + type.getTypeName()
          + " has a type variable, which is erased at run time");
    }
    return type;
  }

  private static boolean containsVariable(Type type) {
    if (type instanceof TypeVariable<?>) return true;
    if (type instanceof ParameterizedType parameterized) {
      for (Type argument : parameterized.getActualTypeArguments()) {
        if (containsVariable(argument)) return true;
      }
      return false;
    }
    if (type instanceof GenericArrayType array) return containsVariable(array.getGenericComponentType());
    if (type instanceof WildcardType wildcard) {
      for (Type bound : wildcard.getUpperBounds()) {
        if (containsVariable(bound)) return true;
      }
      for (Type bound : wildcard.getLowerBounds()) {
        if (containsVariable(bound)) return true;
      }
    }
    return false;
  }

  private static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) return c;
    if (type instanceof ParameterizedType parameterized) return (Class<?>) parameterized.getRawType();
    if (type instanceof GenericArrayType array) return Array.newInstance(raw(array.getGenericComponentType()), 0).getClass();
    if (type instanceof WildcardType wildcard) return raw(wildcard.getUpperBounds()[0]);
    return Object.class;
  }

  private static final class OfClass<T> extends PayloadType<T> {
    OfClass(Class<T> type) {
      super(type);
    }
  }
}
