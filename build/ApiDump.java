import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Writes the public API of one module's classes as text, one line per type and member, and
 * compares it with the dump committed beside the module ({@code api/<artifactId>.api}), as
 * OkHttp's binary-compatibility check does: an API change that nobody meant fails the build, and
 * an intended one is a reviewed diff of that file.
 *
 * <p>Run by the build (exec-maven-plugin, in {@code package}) on the module's runtime classpath:
 * {@code java -cp CLASSPATH build/ApiDump.java CLASSES_DIR API_FILE check|update}. Public and
 * protected types, constructors, methods and fields count; constants show their values, since
 * callers compile them in. Synthetic and bridge members do not.
 */
public final class ApiDump {
  public static void main(String[] args) throws Exception {
    Path classes = Path.of(args[0]);
    Path apiFile = Path.of(args[1]);
    boolean update = args[2].equals("update");
    String dump = dump(classes);
    String committed = Files.exists(apiFile) ? Files.readString(apiFile, StandardCharsets.UTF_8) : null;
    if (dump.equals(committed)) return;
    if (update) {
      Files.createDirectories(apiFile.getParent());
      Files.writeString(apiFile, dump, StandardCharsets.UTF_8);
      System.out.println("[api] wrote " + apiFile);
      return;
    }
    System.err.println("[api] The public API differs from " + apiFile + (committed == null ? " (missing)" : "") + ":");
    List<String> was = committed == null ? List.of() : committed.lines().toList();
    List<String> now = dump.lines().toList();
    for (String line : was) if (!now.contains(line)) System.err.println("[api]   - " + line);
    for (String line : now) if (!was.contains(line)) System.err.println("[api]   + " + line);
    System.err.println("[api] If the change is intended, rewrite the dump and commit it:");
    System.err.println("[api]   mvn -B package -DskipTests -Dssekit.api=update");
    System.exit(1);
  }

  static String dump(Path classes) throws IOException {
    List<String> names;
    try (Stream<Path> files = Files.walk(classes)) {
      names = files.map(p -> classes.relativize(p).toString())
          .filter(n -> n.endsWith(".class") && !n.endsWith("module-info.class") && !n.endsWith("package-info.class"))
          .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.').replace('\\', '.'))
          .sorted()
          .toList();
    }
    StringBuilder out = new StringBuilder();
    for (String name : names) {
      Class<?> type;
      try {
        type = Class.forName(name, false, ApiDump.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException("cannot load " + name + " from the module's classpath", e);
      }
      if (!visible(type)) continue;
      out.append(header(type)).append('\n');
      List<String> members = new ArrayList<>();
      boolean extensible = !Modifier.isFinal(type.getModifiers()) && !type.isEnum() && !type.isRecord();
      for (Constructor<?> c : type.getDeclaredConstructors()) {
        if (visible(c, extensible)) members.add(c.toGenericString());
      }
      for (Method m : type.getDeclaredMethods()) {
        if (visible(m, extensible) && !m.isBridge()) members.add(m.toGenericString());
      }
      for (Field f : type.getDeclaredFields()) {
        if (visible(f, extensible)) members.add(field(f));
      }
      members.stream().sorted().forEach(m -> out.append("  ").append(m).append('\n'));
      out.append('\n');
    }
    return out.toString();
  }

  /** Whether code outside the module can name the type: public, or a protected nested type, in public enclosing types. */
  private static boolean visible(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
      if (t.isAnonymousClass() || t.isLocalClass() || t.isSynthetic()) return false;
      int m = t.getModifiers();
      boolean nested = t.getEnclosingClass() != null;
      if (!Modifier.isPublic(m) && !(nested && Modifier.isProtected(m))) return false;
    }
    return true;
  }

  private static boolean visible(Member member, boolean extensible) {
    int m = member.getModifiers();
    return !member.isSynthetic() && (Modifier.isPublic(m) || (extensible && Modifier.isProtected(m)));
  }

  private static String header(Class<?> type) {
    StringBuilder s = new StringBuilder(type.toGenericString());
    Type superclass = type.getGenericSuperclass();
    if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
      s.append(" extends ").append(superclass.getTypeName());
    }
    Type[] interfaces = type.getGenericInterfaces();
    if (interfaces.length > 0) {
      s.append(type.isInterface() ? " extends " : " implements ");
      s.append(String.join(", ", Arrays.stream(interfaces).map(Type::getTypeName).toList()));
    }
    return s.toString();
  }

  private static String field(Field f) {
    String s = f.toGenericString();
    int m = f.getModifiers();
    if (Modifier.isStatic(m) && Modifier.isFinal(m) && (f.getType().isPrimitive() || f.getType() == String.class)) {
      try {
        f.setAccessible(true);
        Object value = f.get(null);
        s += " = " + (value instanceof String text ? '"' + text + '"' : Objects.toString(value));
      } catch (ReflectiveOperationException | RuntimeException e) {
        // a constant that cannot be read without initialising its class: its declaration is enough
      }
    }
    return s;
  }
}
