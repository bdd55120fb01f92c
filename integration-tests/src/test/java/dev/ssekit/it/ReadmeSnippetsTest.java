package dev.ssekit.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java block of README.md is a whole source file (imports, types, the lot) that compiles
 * against the libraries as they are, so the README cannot drift from the API again.
 */
class ReadmeSnippetsTest {
  private static final Pattern JAVA_BLOCK = Pattern.compile("(?ms)^```java\\n(.*?)^```");
  private static final Pattern TOP_LEVEL_TYPE =
      Pattern.compile("(?m)^(?:public\\s+)?(?:final\\s+)?(?:class|record|interface|enum)\\s+(\\w+)");

  @Test
  void everyJavaBlockIsAWholeSourceFileThatCompiles(@TempDir Path classes) throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    List<JavaFileObject> sources = new ArrayList<>();
    Map<String, Integer> firstLine = new HashMap<>(); // class name -> README line of the block's first line
    Matcher block = JAVA_BLOCK.matcher(readme);
    while (block.find()) {
      String code = block.group(1);
      int line = lineOf(readme, block.start(1));
      Matcher type = TOP_LEVEL_TYPE.matcher(code);
      assertTrue(type.find(), "README.md:" + line + ": a Java block must be a whole file, declaring a top-level type");
      String name = type.group(1);
      assertTrue(firstLine.putIfAbsent(name, line) == null,
          "README.md:" + line + ": " + name + " is declared by another block too (README.md:" + firstLine.get(name) + ")");
      sources.add(new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
          return code;
        }
      });
    }
    assertTrue(sources.size() >= 9, "the README's Java blocks were found: " + sources.size());

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (var files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
      files.setLocation(StandardLocation.CLASS_OUTPUT, List.of(classes.toFile()));
      // Surefire runs the tests from a manifest-only jar; this property is the real classpath.
      String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      boolean compiled = javac.getTask(null, files, diagnostics,
          List.of("-classpath", classpath, "-proc:none", "-Xlint:all,-serial,-processing,-try", "--release", "17"), null, sources).call();
      String problems = diagnostics.getDiagnostics().stream()
          .map(d -> {
            String name = d.getSource() == null ? "?" : d.getSource().getName().replaceAll(".*/|\\.java$", "");
            long at = firstLine.getOrDefault(name, 0) + d.getLineNumber() - 1;
            return "README.md:" + at + " (" + name + "): " + d.getKind() + ": " + d.getMessage(null);
          })
          .collect(Collectors.joining("\n"));
      assertTrue(compiled && diagnostics.getDiagnostics().isEmpty(), "the README's Java does not compile cleanly:\n" + problems);
    }
  }

  private static int lineOf(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) if (text.charAt(i) == '\n') line++;
    return line;
  }
}
