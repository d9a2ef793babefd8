package dev.herald.content;

import java.util.Optional;

/**
 * Where {@code {% include 'name' %}} finds its source: the organization's own snippets, by name. It is the only
 * thing an include can reach; files, the classpath and URLs are not.
 */
@FunctionalInterface
public interface SnippetLookup {
  Optional<String> find(String name);

  /** For templates that may include nothing: every include is then an unknown snippet. */
  static SnippetLookup none() {
    return name -> Optional.empty();
  }
}
