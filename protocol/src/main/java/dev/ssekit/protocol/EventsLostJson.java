package dev.ssekit.protocol;

/**
 * The JSON of {@link EventsLost}, written and read without a JSON library: a flat object whose
 * members ssekit reads are strings or {@code null}. Reading is strict about JSON syntax (a
 * malformed signal is reported, never half-read) but skips members it does not know whose
 * values are strings or literals, so a server may add some.
 */
final class EventsLostJson implements PayloadCodec<EventsLost> {
  @Override
  public String encode(EventsLost lost) {
    StringBuilder json = new StringBuilder(64).append("{\"lastEventId\":");
    string(json, lost.lastEventId());
    json.append(",\"firstAvailableId\":");
    string(json, lost.firstAvailableId());
    return json.append('}').toString();
  }

  private static void string(StringBuilder json, String value) {
    if (value == null) {
      json.append("null");
      return;
    }
    json.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }

  @Override
  public EventsLost decode(String data) {
    Reader in = new Reader(data);
    String lastEventId = null;
    String firstAvailableId = null;
    in.skipSpace();
    in.expect('{');
    in.skipSpace();
    if (!in.consume('}')) {
      do {
        in.skipSpace();
        String name = in.string();
        in.skipSpace();
        in.expect(':');
        in.skipSpace();
        switch (name) {
          case "lastEventId" -> lastEventId = in.stringOrNull();
          case "firstAvailableId" -> firstAvailableId = in.stringOrNull();
          default -> in.skipValue();
        }
        in.skipSpace();
      } while (in.consume(','));
      in.expect('}');
    }
    in.skipSpace();
    if (!in.atEnd()) throw in.error("text after the object");
    return new EventsLost(lastEventId, firstAvailableId);
  }

  /** A cursor over JSON text, with just what a flat object of strings needs. */
  private static final class Reader {
    private final String text;
    private int at;

    Reader(String text) {
      this.text = text;
    }

    boolean atEnd() {
      return at == text.length();
    }

    void skipSpace() {
      while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) at++;
    }

    boolean consume(char c) {
      if (at < text.length() && text.charAt(at) == c) {
        at++;
        return true;
      }
      return false;
    }

    void expect(char c) {
      if (!consume(c)) throw error("expected '" + c + "'");
    }

    String stringOrNull() {
      if (text.startsWith("null", at)) {
        at += 4;
        return null;
      }
      return string();
    }

    String string() {
      expect('"');
      StringBuilder value = new StringBuilder();
      while (true) {
        if (atEnd()) throw error("unterminated string");
        char c = text.charAt(at++);
        if (c == '"') return value.toString();
        if (c < 0x20) throw error("control character in a string");
        if (c != '\\') {
          value.append(c);
          continue;
        }
        if (atEnd()) throw error("unterminated escape");
        char e = text.charAt(at++);
        switch (e) {
          case '"', '\\', '/' -> value.append(e);
          case 'b' -> value.append('\b');
          case 'f' -> value.append('\f');
          case 'n' -> value.append('\n');
          case 'r' -> value.append('\r');
          case 't' -> value.append('\t');
          case 'u' -> {
            if (at + 4 > text.length()) throw error("short \\u escape");
            try {
              value.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
            } catch (NumberFormatException notHex) {
              throw error("bad \\u escape");
            }
            at += 4;
          }
          default -> throw error("bad escape \\" + e);
        }
      }
    }

    /** Skips the value of a member this codec does not read: a string or a literal (number, true, false, null). */
    void skipValue() {
      if (at < text.length() && text.charAt(at) == '"') {
        string();
        return;
      }
      int start = at;
      while (at < text.length() && "-+.eE0123456789truefalsn".indexOf(text.charAt(at)) >= 0) at++;
      String literal = text.substring(start, at);
      if (!literal.matches("true|false|null|-?(0|[1-9]\\d*)(\\.\\d+)?([eE][-+]?\\d+)?")) {
        throw error("expected a string, number, true, false or null");
      }
    }

    IllegalArgumentException error(String what) {
      return new IllegalArgumentException("not the JSON of a lost-events signal (" + what + " at " + at + "): " + text);
    }
  }
}
