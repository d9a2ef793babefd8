package dev.herald.testsupport;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * An authoritative DNS server on 127.0.0.1 (UDP and TCP on one port) answering from a zone the test fills and changes
 * while it runs: tests check DNS records against it, never against the internet. A name with no records is NXDOMAIN
 * unless a longer name exists under it (an empty non-terminal: NOERROR, no data); a CNAME is answered for any type
 * (the client follows it). Answers too large for the client's UDP size are truncated, so the client retries over TCP
 * as it would with a real server. {@link #queries()} records every question asked, for tests that count lookups.
 */
public final class TestDns implements AutoCloseable {
  private static final long TTL = 60;
  private final Map<Name, List<Record>> zone = new ConcurrentHashMap<>();
  private final List<String> queries = new CopyOnWriteArrayList<>();
  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private volatile boolean open = true;

  private TestDns(DatagramSocket udp, ServerSocket tcp) {
    this.udp = udp;
    this.tcp = tcp;
    Thread.ofPlatform().daemon().name("test-dns-udp").start(this::serveUdp);
    Thread.ofPlatform().daemon().name("test-dns-tcp").start(this::serveTcp);
  }

  private static TestDns empty;

  /** One server for the whole test run with no records at all (NXDOMAIN for every name), which no test changes. */
  public static synchronized TestDns empty() {
    if (empty == null) empty = start();
    return empty;
  }

  /** Starts a server on a free port of 127.0.0.1. */
  public static TestDns start() {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    for (int attempt = 0; attempt < 20; attempt++) {
      DatagramSocket udp = null;
      try {
        udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
        ServerSocket tcp = new ServerSocket();
        tcp.bind(new InetSocketAddress(loopback, udp.getLocalPort()));
        return new TestDns(udp, tcp);
      } catch (IOException taken) {
        if (udp != null) udp.close();
      }
    }
    throw new IllegalStateException("no free port on 127.0.0.1 for both UDP and TCP");
  }

  public int port() {
    return udp.getLocalPort();
  }

  /** {@code 127.0.0.1:<port>}, the form of {@code herald.dns.resolvers}. */
  public String address() {
    return "127.0.0.1:" + port();
  }

  /** Adds a TXT record; each value longer than 255 octets is split into strings as a zone file would. */
  public TestDns txt(String name, String value) {
    List<String> strings = new ArrayList<>();
    for (int i = 0; i < value.length(); i += 255) strings.add(value.substring(i, Math.min(value.length(), i + 255)));
    if (strings.isEmpty()) strings.add("");
    return add(new TXTRecord(name(name), DClass.IN, TTL, strings));
  }

  public TestDns mx(String name, int priority, String target) {
    return add(new MXRecord(name(name), DClass.IN, TTL, priority, name(target)));
  }

  /** An MX record with its own TTL (seconds), for tests of caching. */
  public TestDns mx(String name, int priority, String target, long ttl) {
    return add(new MXRecord(name(name), DClass.IN, ttl, priority, name(target)));
  }

  /** An A or AAAA record, by the form of {@code address} (an IP literal). */
  public TestDns address(String name, String address) {
    return address(name, address, TTL);
  }

  public TestDns address(String name, String address, long ttl) {
    InetAddress ip;
    try {
      ip = InetAddress.getByName(address);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + address, e);
    }
    return add(ip instanceof java.net.Inet6Address
        ? new org.xbill.DNS.AAAARecord(name(name), DClass.IN, ttl, ip)
        : new org.xbill.DNS.ARecord(name(name), DClass.IN, ttl, ip));
  }

  public TestDns cname(String name, String target) {
    return add(new CNAMERecord(name(name), DClass.IN, TTL, name(target)));
  }

  /** Removes every record at {@code name}. */
  public TestDns remove(String name) {
    zone.remove(name(name));
    return this;
  }

  /** Removes the records of one type ({@code org.xbill.DNS.Type}) at {@code name}, keeping the others. */
  public TestDns remove(String name, int type) {
    List<Record> at = zone.get(name(name));
    if (at != null) at.removeIf(r -> r.getType() == type);
    return this;
  }

  /** Replaces the TXT records at {@code name} by this one (other types there stay). */
  public TestDns replaceTxt(String name, String value) {
    return remove(name, Type.TXT).txt(name, value);
  }

  public void clear() {
    zone.clear();
    queries.clear();
  }

  /** Every question asked so far, as "name TYPE" (the name without its final dot). */
  public List<String> queries() {
    return List.copyOf(queries);
  }

  public void clearQueries() {
    queries.clear();
  }

  private TestDns add(Record record) {
    zone.computeIfAbsent(record.getName(), n -> new CopyOnWriteArrayList<>()).add(record);
    return this;
  }

  private static Name name(String name) {
    try {
      return Name.fromString(name.endsWith(".") ? name : name + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException(e);
    }
  }

  Message answer(Message query) {
    Record question = query.getQuestion();
    Message response = new Message(query.getHeader().getID());
    response.getHeader().setFlag(Flags.QR);
    response.getHeader().setFlag(Flags.AA);
    if (query.getHeader().getFlag(Flags.RD)) response.getHeader().setFlag(Flags.RD);
    if (question == null) {
      response.getHeader().setRcode(Rcode.FORMERR);
      return response;
    }
    response.addRecord(question, Section.QUESTION);
    Name name = question.getName();
    int type = question.getType();
    queries.add(name.toString(true) + " " + Type.string(type));
    List<Record> at = zone.get(name);
    if (at == null || at.isEmpty()) {
      boolean emptyNonTerminal = zone.keySet().stream().anyMatch(n -> !n.equals(name) && n.subdomain(name));
      if (!emptyNonTerminal) response.getHeader().setRcode(Rcode.NXDOMAIN);
      return response;
    }
    List<Record> matching = at.stream().filter(r -> r.getType() == type).toList();
    if (matching.isEmpty() && type != Type.CNAME) matching = at.stream().filter(r -> r.getType() == Type.CNAME).toList();
    for (Record r : matching) response.addRecord(r, Section.ANSWER);
    return response;
  }

  private void serveUdp() {
    byte[] buffer = new byte[4096];
    while (open) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        udp.receive(packet);
        Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
        OPTRecord opt = query.getOPT();
        int max = opt == null ? 512 : Math.max(512, opt.getPayloadSize());
        byte[] wire = answer(query).toWire(max);
        udp.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
      } catch (SocketException closed) {
        return;
      } catch (IOException | RuntimeException e) {
        // a malformed packet: no answer, like a real server
      }
    }
  }

  private void serveTcp() {
    while (open) {
      try {
        Socket socket = tcp.accept();
        Thread.ofPlatform().daemon().name("test-dns-tcp-conn").start(() -> serveConnection(socket));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serveConnection(Socket socket) {
    try (socket; DataInputStream in = new DataInputStream(socket.getInputStream());
        DataOutputStream out = new DataOutputStream(socket.getOutputStream())) {
      socket.setSoTimeout(10_000);
      while (true) {
        byte[] request = new byte[in.readUnsignedShort()];
        in.readFully(request);
        byte[] wire = answer(new Message(request)).toWire();
        out.writeShort(wire.length);
        out.write(wire);
        out.flush();
      }
    } catch (EOFException done) {
      // the client closed the connection
    } catch (IOException e) {
      // a timeout or reset: the client went away
    }
  }

  @Override
  public void close() {
    open = false;
    udp.close();
    try {
      tcp.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
