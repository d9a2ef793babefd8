package dev.herald.audiences;

import dev.herald.platform.HeraldProperties;
import java.sql.SQLException;
import java.time.Duration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The transactions of import jobs. Each runs its statements under {@code herald.imports.statement-timeout}
 * ({@code SET LOCAL}, so pooled connections keep their own setting afterwards): a statement whose plan went
 * wrong ends its job with a failure instead of holding a worker for hours.
 */
@Component
class ImportTransactions {
  /** PostgreSQL's SQLSTATE for a statement cancelled, by its timeout or by an operator. */
  static final String QUERY_CANCELED = "57014";
  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final TransactionTemplate apart;
  private final Duration timeout;

  ImportTransactions(JdbcClient jdbc, PlatformTransactionManager transactions, HeraldProperties properties) {
    this.jdbc = jdbc;
    this.tx = new TransactionTemplate(transactions);
    this.apart = new TransactionTemplate(transactions);
    this.apart.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    this.timeout = properties.imports().statementTimeout();
  }

  Duration timeout() {
    return timeout;
  }

  /** Runs {@code work} in a transaction whose statements each stop after the statement timeout. */
  <T> T execute(TransactionCallback<T> work) {
    return tx.execute(status -> {
      limitStatements();
      return work.doInTransaction(status);
    });
  }

  void run(Runnable work) {
    execute(status -> {
      work.run();
      return null;
    });
  }

  /**
   * Commits {@code work} at once in a transaction of its own, even inside another (the merge's), so the
   * panel and the API see it while that one still runs.
   */
  void apart(Runnable work) {
    apart.executeWithoutResult(status -> {
      limitStatements();
      work.run();
    });
  }

  private void limitStatements() {
    jdbc.sql("select set_config('statement_timeout', ?, true)").param(Long.toString(timeout.toMillis())).query(String.class).single();
  }

  /** Whether {@code e} comes from a statement PostgreSQL cancelled (the statement timeout). */
  static boolean timedOut(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && QUERY_CANCELED.equals(s.getSQLState())) return true;
    }
    return false;
  }
}
