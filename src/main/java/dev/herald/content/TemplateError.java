package dev.herald.content;

/**
 * A template that does not compile: where (line and column from 1, in the source the user wrote) and what, in words
 * a user understands. An error inside an included snippet is placed at the include tag and names the snippet.
 */
public record TemplateError(int line, int column, String message) {

  /** "Line 3, column 7: Unknown tag 'foo'." */
  public String describe() {
    return "Line " + line + ", column " + column + ": " + message;
  }
}
