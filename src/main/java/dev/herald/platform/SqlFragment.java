package dev.herald.platform;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.SqlParameter;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;

/**
 * A piece of SQL that one class builds and another pastes into its statement (a segment's conditions
 * into a count, an export or a campaign's audience query): the text, every named parameter it binds,
 * and the alias of the table whose columns it reads. The caller writes {@code from subscriber } +
 * {@link #alias()}, appends the text and binds {@link #params()}; it binds nothing for the fragment
 * and need not know its parameter names. Those all start with a prefix the caller chose when asking for
 * the fragment (see {@link #checkPrefix}), so two fragments, or a fragment and the caller's own
 * parameters, never collide ({@link #paramsWith} refuses it if they do).
 *
 * <p>Most fragments are conditions; a few are values, and the method that returns one says so (the
 * suppression screen's reason text, which the caller stores or compares with {@code is null}).
 *
 * <p><b>A condition is for WHERE only, never negated.</b> It may be null rather than false for a row
 * (a custom field the row does not have): WHERE drops the row either way, but {@code not (fragment)}
 * drops it too, so "everyone but this segment" written as a negation silently loses people. To exclude
 * a set, write {@code not exists (select 1 from subscriber x where x.id = s.id and <fragment over x>)}.
 *
 * <p>The constructor checks that the text uses exactly the parameters given (no name the caller would
 * have to bind by an unwritten rule, none bound but unused).
 */
public record SqlFragment(String sql, Map<String, Object> params, String alias) {
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");

  public SqlFragment {
    if (sql == null || sql.isBlank()) throw new IllegalArgumentException("An SQL fragment needs its text.");
    if (alias == null || !IDENTIFIER.matcher(alias).matches()) throw new IllegalArgumentException("Bad alias '" + alias + "'.");
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    Set<String> used = new TreeSet<>();
    for (SqlParameter p : NamedParameterUtils.buildSqlParameterList(NamedParameterUtils.parseSqlStatement(sql),
        new MapSqlParameterSource(params))) {
      used.add(p.getName());
    }
    if (!used.equals(new TreeSet<>(params.keySet()))) {
      throw new IllegalArgumentException("The fragment uses :" + used + " but binds " + new TreeSet<>(params.keySet()) + ": " + sql);
    }
  }

  /** A fragment that binds nothing. */
  public static SqlFragment of(String sql, String alias) {
    return new SqlFragment(sql, Map.of(), alias);
  }

  /**
   * A parameter prefix as a caller passes it: a lower-case identifier (so {@code :} + prefix + name is one
   * parameter), ending in "_" by convention ({@code "seg_"}).
   */
  public static String checkPrefix(String prefix) {
    if (prefix == null || !IDENTIFIER.matcher(prefix).matches()) {
      throw new IllegalArgumentException("A parameter prefix is a lower-case identifier, like seg_; got '" + prefix + "'.");
    }
    return prefix;
  }

  /** The text, for a statement that names the fragment's table {@code alias}; another alias is a bug, refused here. */
  public String sqlOver(String alias) {
    if (!this.alias.equals(alias)) {
      throw new IllegalStateException("The fragment reads its table as " + this.alias + ", the statement names it " + alias + ".");
    }
    return sql;
  }

  /** The caller's own parameters together with this fragment's, for one statement; a name both use is refused. */
  public Map<String, Object> paramsWith(Map<String, ?> callers) {
    Map<String, Object> all = new LinkedHashMap<>(callers);
    for (var e : params.entrySet()) {
      if (all.containsKey(e.getKey())) {
        throw new IllegalArgumentException("Parameter :" + e.getKey() + " is the caller's and the fragment's; choose another prefix.");
      }
      all.put(e.getKey(), e.getValue());
    }
    return all;
  }
}
