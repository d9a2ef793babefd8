package dev.herald.privacy;

import dev.herald.platform.Leases;
import java.io.OutputStream;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Where an export's ZIP goes: chunks of {@link #CHUNK} bytes in {@code organization_export_chunk}, each written in a
 * transaction with a renewal of the job's lease, so a node that lost the job writes nothing more ({@link LeaseLost})
 * and any node can serve the download chunk by chunk.
 */
final class ExportChunks extends OutputStream {
  static final int CHUNK = 1024 * 1024;

  /** The job was taken over by another node: this attempt stops without writing. */
  static final class LeaseLost extends RuntimeException {
    LeaseLost(long exportId) {
      super("Export " + exportId + " was taken over by another node");
    }
  }

  private final Leases.Lease lease;
  private final Leases leases;
  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final byte[] buffer = new byte[CHUNK];
  private int filled;
  private int seq;
  private long size;
  private boolean closed;

  ExportChunks(Leases.Lease lease, Leases leases, JdbcClient jdbc, TransactionTemplate tx) {
    this.lease = lease;
    this.leases = leases;
    this.jdbc = jdbc;
    this.tx = tx;
  }

  long size() {
    return size;
  }

  @Override
  public void write(int b) {
    if (filled == CHUNK) store();
    buffer[filled++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    while (len > 0) {
      if (filled == CHUNK) store();
      int n = Math.min(len, CHUNK - filled);
      System.arraycopy(b, off, buffer, filled, n);
      filled += n;
      off += n;
      len -= n;
    }
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    if (filled > 0) store();
  }

  private void store() {
    byte[] bytes = java.util.Arrays.copyOf(buffer, filled);
    int number = seq;
    tx.executeWithoutResult(status -> {
      if (leases.renew(lease) == Leases.Outcome.LOST) throw new LeaseLost(lease.jobId());
      jdbc.sql("insert into organization_export_chunk (export_id, seq, bytes) values (?, ?, ?)").params(lease.jobId(), number, bytes).update();
    });
    seq++;
    size += filled;
    filled = 0;
  }
}
