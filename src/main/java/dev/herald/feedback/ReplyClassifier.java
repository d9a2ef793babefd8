package dev.herald.feedback;

import static dev.herald.feedback.FeedbackReason.*;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies one SMTP reply (a synchronous reply to Herald's MTA, or the Diagnostic-Code of a bounce) into a
 * {@link FeedbackClass} and a {@link FeedbackReason}. The reasons are Sisimai's; the rules are Herald's own,
 * written after reading how Sisimai and KumoMTA match replies (docs/bounce-classification.md):
 * <ol>
 *   <li>the words of the reply, in a fixed order of reasons (the first family that matches wins), because the
 *       words say more than the codes: many servers answer 550 5.1.1 or 5.7.1 for anything;</li>
 *   <li>otherwise the enhanced status code (RFC 3463, RFC 5248's registry), then the reply code.</li>
 * </ol>
 * Every pattern is a plain alternation of words with bounded gaps, and the text is cut to {@link #MAX_TEXT}
 * characters, so matching is linear in a small input whatever a remote server sends.
 */
public final class ReplyClassifier {
  /** Replies longer than this are cut: every phrase that decides is near the start. */
  static final int MAX_TEXT = 2_000;
  private static final Pattern ENHANCED = Pattern.compile("\\b([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");
  private static final Pattern REPLY_CODE = Pattern.compile("(?<![\\d.])([245]\\d\\d)(?![\\d.])");

  private ReplyClassifier() {}

  /** One family of words and the reason it means: its phrases (regular expressions) and their alternation. */
  record Rule(FeedbackReason reason, List<String> phrases, Pattern pattern) {
    static Rule of(FeedbackReason reason, String... phrases) {
      return new Rule(reason, List.of(phrases), Pattern.compile(String.join("|", phrases)));
    }

    /** This family without {@code removed} phrases, or null when none is left. */
    Rule without(java.util.Set<String> removed) {
      List<String> kept = phrases.stream().filter(p -> !removed.contains(p)).toList();
      return kept.isEmpty() ? null : of(reason, kept.toArray(String[]::new));
    }
  }

  /**
   * The families the classifier reads replies with, and what sees each text it matches them against. Production
   * always uses {@link #STANDARD}; the leave-one-group-out evaluation (test-only {@code BounceGroups}) binds another
   * through {@link #VOCABULARY} to measure how the rules do on bounces whose own phrases were taken out.
   */
  record Vocabulary(List<Rule> rules, List<Rule> weakRules, java.util.function.Consumer<String> texts) {}

  static final ScopedValue<Vocabulary> VOCABULARY = ScopedValue.newInstance();

  /**
   * The families in the order they are tried. Sender-side families come first where their words overlap with a
   * recipient's ("550 5.7.1 Recipient address rejected: sender IP listed at zen.spamhaus.org" is about the
   * sender); mailbox-full comes before user-unknown because full mailboxes are often reported with 5.1.1.
   */
  static final List<Rule> RULES = List.of(
      Rule.of(NOT_COMPLIANT_RFC, "rfc ?5322", "rfc ?822", "rfc ?2822", "not (?:rfc )?compliant", "rfc compliant",
          "multiple (?:from|subject|date|message-id|to)\\b", "multiple addresses in from", "duplicate header",
          "header (?:is )?(?:missing|invalid)", "missing (?:required )?header", "malformed"),
      Rule.of(SPAM_DETECTED, "(?:classified|detected|identified|rejected|considered|marked|flagged) as spam", "spam classification",
          "looks like spam"),
      // Precise phrases first, in Sisimai's order of reasons (mailbox, size, account, address, filter, sender, domain,
      // spam, block; the reasons of its second pass come further down): whole phrases that mean one thing whoever writes them,
      // gathered from Sisimai's reason lists (Sisimai::Reason::*), KumoMTA's community rules and the wording of
      // common MTAs in German, French, Spanish, Italian, Portuguese, Russian, Japanese and Chinese.
      Rule.of(MAILBOX_FULL, "insufficient disk space", "exceeding receiving limits", "bo[iî]te (?:\\S{1,20} ){0,6}pleine",
          "exceeded storage allocation", "mailbox exceeds allowed size", "mailbox size limit exceeded", "exceed (?:the )?maximum allowed storage",
          "quota violation", "too much mail data", "has exceeded (?:his|her|their|the|its) (?:\\S{1,20} )?quota", "too many messages on the server",
          "space has been used up", "out of storage space", "inbox is full", "postfach (?:\\S{1,20} ){0,3}(?:voll|[uü]berf[uü]llt)",
          "speicher(?:platz|grenze)? (?:ist )?(?:voll|ersch[oö]pft|[uü]berschritten)", "buz[oó]n (?:\\S{1,20} ){0,3}(?:lleno|completo)",
          "casella (?:\\S{1,20} ){0,3}piena", "caixa (?:\\S{1,20} ){0,3}cheia", "ящик (?:переполнен|заполнен)",
          "превышен[а-я]{0,2} (?:квота|размер|лимит|объ[её]м)", "メールボックスがいっぱい", "容量(?:を|が)?(?:超過|オーバー|不足|いっぱい)",
          "邮箱(?:已满|空间不足|容量不足)"),
      Rule.of(MESSAGE_TOO_BIG, "exceeded maximum inbound message size", "message (?:is )?larger than", "is larger than (?:the )?(?:permitted|allowed|maximum)", "nachricht (?:ist )?zu gro(?:ß|ss)",
          "message trop (?:gros|volumineux)", "mensaje (?:es )?demasiado grande", "сообщение слишком (?:большое|велико)"),
      Rule.of(EXCEED_LIMIT, "message length exceeds administrative limit"),
      Rule.of(SUSPEND, "is currently suspended", "temporar(?:il)?y locked", "boite du destinataire archivee", "account that you tried to reach is (?:disabled|inactive)",
          "has been suspended", "inactive account", "invalid/inactive user", "deactivated mailbox", "user is terminated",
          "mailbox (?:is )?(?:currently )?(?:suspended|disabled|frozen)", "temporarily inactive", "suspend the service",
          "has been disabled or discontinued", "user or domain is disabled", "user suspended", "account is locked",
          "(?:konto|postfach) (?:ist |wurde )?(?:deaktiviert|gesperrt)", "compte (?:est )?(?:d[eé]sactiv[eé]|suspendu|bloqu[eé])",
          "cuenta (?:est[aá] )?(?:desactivada|suspendida|bloqueada)", "(?:учетная запись|ящик|аккаунт) (?:заблокирован|отключен)[а-я]?",
          "アカウントが(?:停止|無効)"),
      Rule.of(USER_UNKNOWN, "#5\\.1\\.1 bad address", "address not present in directory", "can'?t accept user", "destination addresses were unknown",
          "destination server rejected recipients", "email address (?:does not exist|could not be found)", "is not a valid mailbox",
          "is not an active address", "mailbox (?:is )?(?:inactive|invalid|not present)", "no account by that name", "no mail ?box available for this user",
          "no mailbox (?:by that name|found|here)", "no such person", "not a valid user", "not a local address", "recipient (?:is )?not local",
          "recipient not (?:exist|ok)\\b", "following recipients was undeliverable", "email name is not found", "there is no one at this address",
          "this email address is wrong or no longer valid", "badrcptto", "not in my validrcptto", "badrecipientto", "unknown e-?mail address",
          "unknown local[- ]?part", "user missing home directory", "user not (?:active|known|exist)\\b", "invalid or unknown virtual user",
          "utilisateur inconnu", "destinataire inconnu", "adresse (?:e-?mail |de messagerie )?inconnue", "n'existe pas",
          "unbekannte[rn]? (?:empf[aä]nger|benutzer|adresse)", "(?:empf[aä]nger|benutzer|adresse) (?:ist |wurde )?(?:unbekannt|nicht gefunden)",
          "existiert nicht", "usuario (?:desconocido|inexistente|no existe)", "no existe (?:dicha persona|ese usuario|el usuario|la cuenta)",
          "direcci[oó]n (?:no existe|inexistente|desconocida)", "destinatario (?:desconocido|inexistente|sconosciuto|inesistente)",
          "utente (?:sconosciuto|inesistente|non esiste)", "nessun utente", "indirizzo (?:inesistente|sconosciuto)",
          "usu[aá]rio (?:desconhecido|inexistente|n[aã]o existe)", "endere[cç]o (?:inexistente|desconhecido)",
          "пользовател[ья] (?:не найден|не существует|нет)", "нет такого (?:пользователя|ящика|адреса|получателя)",
          "неизвестный (?:пользователь|получатель|адрес)", "(?:адрес|ящик|получатель) не (?:найден|существует)",
          "宛先(?:が|は)?不明", "(?:ユーザー?|アドレス|宛先)(?:が|は)?(?:存在しません|見つかりません)", "存在しないユーザ",
          "(?:用户|收件人|地址)不存在"),
      Rule.of(FILTERED, "\\b550 : user unknown", "account is protected by", "restricted sms e-?mail", "is not accepting any mail", "message rejected due to user rules",
          "not found recipient account", "refuses? to receive (?:this )?mail", "only accepting mail from specific", "refused due to recipient preferences",
          "user reject", "blocked by the recipient"),
      Rule.of(REJECTED, "access denied \\(in reply to mail from", "administrative prohibition", "\\bbatv\\b", "backscatter protection",
          "on the recipient's list of senders", "bogus mail from", "purported responsible address", "without a valid sender domain",
          "empty envelope senders", "envelope blocked", "no third-party dsns", "from: domain is invalid", "fully qualified email address required",
          "not a registered gateway user", "mail from not owned by user", "null sender is not allowed",
          "returned mail not accepted here", "sender (?:address )?(?:has been )?blacklisted", "sender email address rejected",
          "sender is in my black list", "sender is spammer", "sender not pre-approved", "sender domain is empty", "sender was rejected",
          "unroutable sender address", "not allowed to post to this", "your email address has been blacklisted", "permission to post",
          "exp[eé]diteur (?:invalide|refus[eé]|inconnu)", "emetteur invalide", "absender (?:abgelehnt|ung[uü]ltig|unbekannt)",
          "remitente (?:rechazado|no v[aá]lido|desconocido)", "отправитель (?:отклон[её]н|заблокирован|не разреш)"),
      Rule.of(HOST_UNKNOWN, "domain must exist", "mail domain mentioned in email address is unknown", "unknown domain name",
          "the account or domain may not exist", "domaine (?:inconnu|inexistant)", "dom[aä]ne? (?:existiert nicht|unbekannt)",
          "dominio (?:inexistente|desconocido|no existe)", "домен не (?:найден|существует)"),
      Rule.of(SPAM_DETECTED, "appears to be unsolicited", "blacklisted url", "block(?:ed)? for spam", "no spam please", "spamassassin",
          "detected as spam", "unsolicited bulk e-?mail", "content filter rejection", "as a bulk email", "spam list", "probability of spam",
          "mail content denied", "may consider spam", "considered as spam", "contains spam", "message content rejected", "seems to be (?:a )?spam",
          "spamprofiler", "unacceptable content", "suspected spam", "possible spam", "thinks this email is spam", "probable spam",
          "bulk.advertising", "spam score", "bulk email", "banned content", "rejecting mail content", "spam-like", "spam filter",
          "spam blocked", "spam check", "spam content", "spam detected", "spam e-?mail", "spam not accepted", "spam refused", "spam rejection",
          "spam message", "spamming not allowed", "spam complaints", "too much spam", "scored as spam", "recurrent pattern detection",
          "\\buribl\\b", "triggered a spam block", "antispam checks", "temporarily blocked by our filter",
          "als spam (?:eingestuft|erkannt|abgelehnt)", "consid[eé]r[eé] comme (?:du |un )?spam", "(?:detectado|identificado|considerado) como spam",
          "(?:considerato|rilevato|classificato) come spam", "спам", "迷惑メール", "垃圾邮件"),
      Rule.of(BLOCKED, "bad sender ip address", "banned sending ip", "blacklisted by", "connections not accepted from ip addresses",
          "dynamic/zombied/spam ips", "esmtp not accepting connections", "bad ip profile", "\\bgo away\\b", "host network not allowed",
          "hosts with dynamic ip", "invalid ip for sending mail", "is in a black list", "is not allowed to send mail from", "no access from mail server",
          "not currently accepting mail from your ip", "on our block list", "please use the smtp server of your isp", "rejecting open proxy",
          "sender ip address rejected", "server access forbidden by your ip", "looks suspiciously like spammer", "too many spams from your ip",
          "unwanted messages have been sent from the following ip", "was blocked by", "mail from dynamic ips", "you are not allowed to connect",
          "you are sending spam", "temporar(?:il)?y blacklisted", "your server requires confirmation",
          "smtp error from remote mail server after initial connection"),
      // Then the standards' and the common MTAs' words, from the most telling to the least.
      Rule.of(AUTH_FAILURE, "unauthenticated email", "authentication level", "\\bspf\\b", "\\bdkim\\b", "\\bdmarc\\b", "sender policy framework", "domainkeys",
          "authentication (?:check )?fail", "5\\.7\\.2[346]\\b", "sender is not authori[sz]ed", "does not designate"),
      Rule.of(REQUIRE_PTR, "\\bptr\\b", "reverse dns", "reverse lookup", "reverse-dns", "\\brdns\\b",
          "reverse (?:hostname|name|mapping)", "cannot find your hostname", "unable to resolve your hostname",
          "no (?:dns )?reverse", "5\\.7\\.25\\b", "hostname (?:lookup|resolution) failed", "ip name lookup failed",
          "mismatches client ip"),
      // Block lists by name: the sender's IP or domain, whatever else the reply says about the recipient.
      Rule.of(BLOCKED, "blacklist", "black list", "blocklist", "block list", "denylist", "deny list", "\\bdnsbl\\b",
          "\\brbl\\b", "spamhaus", "spamcop", "sorbs", "listed (?:at|on|by)", "blocked using", "my name was rejected", "helo command rejected", "refused to talk to me",
          "client host(?: \\S{1,100})? (?:rejected|blocked)", "ip (?:address )?(?:\\S{1,40} )?(?:is )?(?:blocked|banned|bloquee)",
          "\\(bl\\)"),
      Rule.of(BAD_REPUTATION, "reputation", "\\btss?0[1-4]\\b", "unusual rate of unsolicited"),
      Rule.of(TOO_MANY_CONN, "too many (?:connections|concurrent|sessions|smtp sessions|hosts)", "connection limit",
          "connection rate limit", "too many simultaneous", "frequency limited"),
      Rule.of(SPEEDING, "rate limit", "rate-limit", "ratelimit", "too many messages", "sending rate",
          "throttl", "exceeded (?:the )?(?:daily|hourly|sending) (?:limit|quota)", "receiving mail at a rate",
          "too fast", "slow down", "4\\.7\\.28\\b"),
      Rule.of(VIRUS_DETECTED, "virus", "malware", "infected", "trojan"),
      Rule.of(SPAM_DETECTED, "spam", "\\bube\\b", "unsolicited", "junk mail", "bulk mail", "content rejected",
          "message content", "suspicious", "phish", "scam", "blocked by (?:the )?(?:content )?filter",
          "rejected by (?:the )?(?:content )?filter"),
      Rule.of(NO_RELAYING, "relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited|not allowed)",
          "not permitted to relay", "unable to relay", "we do not relay", "no relay", "relay not permitted",
          "not a gateway", "relaying mail to", "not verified", "identities failed"),
      Rule.of(MAILBOX_FULL, "mailbox (?:is )?full", "mailbox size", "full mailbox", "over quota", "overquota",
          "quota exceeded", "exceeded (?:his|her|the|storage|their)? ?(?:\\S{1,20} )?(?:quota|storage)",
          "exceed(?:s|ed)? (?:the )?(?:mailbox )?quota", "insufficient (?:disk )?(?:space|storage) (?:for|in) (?:the )?(?:user|mailbox)",
          "mail ?box (?:has )?exceeded", "not enough (?:space|storage)", "user is over", "disk quota",
          "too much mail", "mail quota", "mailfolder is full", "storage allocation", "mailbox is full", "their mailbox is full",
          "out of storage"),
      Rule.of(MESSAGE_TOO_BIG, "message (?:is )?too (?:large|big)", "message size exceeds", "size exceeds",
          "exceeds (?:the )?(?:maximum )?(?:message )?size", "message (?:length|size) (?:exceeds|is over)",
          "too large", "mail size", "size limit", "5\\.3\\.4\\b"),
      Rule.of(REJECTED, "sender (?:address )?(?:rejected|denied|refused|blocked|verify failed|verification)",
          "rejected (?:by|because of) (?:the )?sender", "envelope (?:sender|from)", "invalid sender",
          "sender (?:domain|address) (?:is )?(?:invalid|unknown|does not exist|not found)",
          "domain of sender", "sender's domain", "bad sender", "unknown sender",
          "not accept(?:ing)? mail from", "permission to post", "send mail as"),
      Rule.of(HOST_UNKNOWN, "domain (?:does not|doesn'?t) exist", "no such domain", "domain not found", "dns error"),
      Rule.of(USER_UNKNOWN, "user unknown", "unknown user", "unknown recipient", "recipient unknown",
          "no such (?:user|mailbox|recipient|account|person|address)", "user (?:not found|doesn'?t exist|does not exist)",
          "(?:address|account|mailbox|recipient|user|addressee) (?:does not|doesn'?t|did not) exist",
          "does not exist", "doesn't exist", "invalid (?:recipient|mailbox|user)",
          "recipient (?:address )?(?:invalid|not found|not valid)", "mailbox (?:not found|unavailable|not available)",
          "mailbox (?:does not|not) exist", "bad destination", "no mailbox", "unrouteable address",
          "not (?:a )?(?:valid|known) (?:user|recipient|mailbox|address)", "is not a known user",
          "unknown (?:or illegal )?(?:alias|address|local)", "not our customer", "address unknown",
          "undeliverable address", "user invalid", "unknown mailbox", "nonexistent", "non-existent",
          "not listed in", "no such local user", "addressee unknown", "recipient not found", "wasn.t found at",
          "recipient address rejected: access denied", "(?:doesn'?t|does not) have an? (?:\\S{1,40} )?account",
          "no longer (?:a valid|exists)", "recipientnotfound", "not a valid recipient", "no valid recipients"),
      Rule.of(HAS_MOVED, "has moved", "moved to", "address (?:has )?changed", "no longer on (?:this )?server",
          "5\\.1\\.6\\b"),
      Rule.of(SUSPEND, "suspend", "disabled", "deactivated", "inactive", "not active", "account (?:is )?locked",
          "account (?:has been )?(?:closed|expired|frozen|blocked)", "mailbox (?:is )?(?:locked|closed|frozen)",
          "no longer (?:active|in use|available)", "extended inactivity"),
      // Sisimai's second pass: precise phrases of reasons that only explain a failure no address or mailbox word did.
      Rule.of(POLICY_VIOLATION, "header error", "illegal attachment", "not accepting mail with", "members-only list", "closed mailing list", "denied by policy",
          "not accepted for policy reasons", "rejected due to security policies", "local policy violation", "organizational settings",
          "message given low priority", "rejected due to local policy", "rejected for policy reasons", "protocol violation",
          "not subscribed to this group", "rejected by organization policy", "content presents a potential", "images or other attachments",
          "mass mailer", "policy restrictions", "content policy"),
      Rule.of(SECURITY_ERROR, "account not subscribed to ses", "authentication credentials invalid", "authentication failure",
          "authentication turned on in your email client", "executable files are not allowed", "insecure mail relay", "you don'?t authenticate",
          "unauthenticated senders not allowed", "verification failure", "authentication is required", "is a dead domain",
          "not authorized to perform ses", "authentification (?:invalide|requise)"),
      Rule.of(SYSTEM_ERROR, "aliasing/forwarding loop broken", "can'?t create user output file", "internal error reading data",
          "internal server error", "interrupted system call", "encountered an error while being processed", "would create a mail loop",
          "local configuration error", "local error in processing", "loop was found in the mail exchanger", "loops back to myself",
          "mail system configuration error", "queue file write error", "remote server is misconfigured", "server configuration error",
          "service currently unavailable", "system config error", "temporary local problem", "timeout waiting for input",
          "unable to connect \\S{1,40} daemon"),
      Rule.of(NETWORK_ERROR, "dns records for the destination computer could not be found", "hop count exceeded", "host is unreachable",
          "host name lookup failure", "host not found, try again", "mail forwarding loop", "malformed (?:or unexpected )?name server reply",
          "forwarding loop count exceeded", "message looping", "routing loop", "no route to host", "too many hops", "unable to resolve route",
          "unrouteable mail domain"),
      Rule.of(EXPIRED, "connection timed out", "could not find a gateway for", "delivery attempts will continue", "delivery (?:time )?expired",
          "failed to deliver to domain \\S{1,100} after", "giving up on", "failing for a long time", "has been delayed", "not been collected after",
          "message expired", "message timed out", "retry time not reached for any host after a long failure period", "server did not respond",
          "in the queue too long", "after multiple retries", "not reachable within the allowed queue period", "could not be delivered for (?:more than )?\\S{1,10} (?:days|hours)"),
      Rule.of(NOT_ACCEPT, "host/domain does not accept mail", "host does not accept mail", "mail receiving disabled", "no mx record found for domain",
          "no route for current request"),
      Rule.of(NOT_ACCEPT, "does not accept mail", "not accept(?:ing)? (?:any )?mail", "null mx", "no mail accepted",
          "not accepting mail", "doesn'?t receive (?:e-?mail|mail)", "no mx record", "couldn.t find a mail exchanger", "no mail exchanger"),
      Rule.of(HOST_UNKNOWN, "host unknown", "unknown host", "host not found", "domain not found", "no such domain",
          "domain (?:does not|doesn'?t) exist", "unrouteable (?:mail )?domain", "name or service not known",
          "host or domain name not found", "domain name not found", "nxdomain", "unknown domain",
          "domain (?:is )?(?:invalid|unknown)", "invalid domain", "domain (?:is )?not reachable",
          "dns (?:lookup|resolution) fail"),
      Rule.of(NETWORK_ERROR, "lost connection"),
      Rule.of(BLOCKED, "your (?:ip|host|server|network|mail server)", "ip address", "access denied",
          "not allowed to send", "banned", "blocked", "dynamic ip", "dial-?up", "residential", "\\bhelo\\b",
          "\\behlo\\b", "refused to talk", "poor"),
      Rule.of(EXPIRED, "expired", "retry time", "retry timeout", "too long in (?:the )?queue", "delivery time",
          "could not be delivered (?:within|for|in)", "has not been delivered", "undelivered for",
          "timeout exceeded", "giving up", "gave up", "failing for a long time", "not yet been delivered",
          "have not yet received", "delayed", "queue too long", "warning message only"),
      Rule.of(NETWORK_ERROR, "network", "could not connect", "connection (?:timed out|refused|reset|lost|dropped)",
          "timed out", "unreachable", "too many hops", "loop", "no answer", "lost connection", "connect to",
          "no route to host", "not reachable", "did not accept our requests to connect"),
      Rule.of(SYSTEM_FULL, "system (?:is )?full", "disk full", "insufficient system storage", "out of disk",
          "no space left"),
      Rule.of(FAILED_STARTTLS, "starttls", "\\btls\\b(?: \\S{1,30})? required", "must issue a starttls"),
      Rule.of(SECURITY_ERROR, "authentication required", "auth(?:entication)? required", "must authenticate",
          "unauthenticated", "not authenticated", "smtp authentication", "security", "certificate"),
      Rule.of(CONTENT_ERROR, "8-?bit", "illegal character", "invalid (?:mime|header|character)",
          "attachment", "content"),
      Rule.of(POLICY_VIOLATION, "policy", "prohibited", "not allowed", "not authorized", "administrative"),
      Rule.of(FILTERED, "filter", "refuse", "rejected by (?:the )?recipient", "recipient (?:has )?(?:rejected|refused|blocked)",
          "does not (?:want|wish)", "not accepted"),
      Rule.of(SYSTEM_ERROR, "system error", "internal error", "local error", "server error",
          "configuration error", "misconfigur", "unavailable", "resources", "out of memory",
          "transaction failed"),
      Rule.of(MAILER_ERROR, "x-unix", "command (?:died|failed|output)", "procmail", "pipe to", "mailer error",
          "program"),
      Rule.of(SYNTAX_ERROR, "syntax error", "command (?:not recognized|unrecognized)", "unrecognized command",
          "bad sequence", "not implemented", "incorrectly constructed"));

  /** Words that mean little alone: tried only when the status code says nothing more precise. */
  static final List<Rule> WEAK_RULES = List.of(
      Rule.of(USER_UNKNOWN, "address rejected", "recipient rejected", "destinataire invalide", "bad recipient"));

  static final Vocabulary STANDARD = new Vocabulary(RULES, WEAK_RULES, text -> {});

  /**
   * The class and reason of one reply.
   *
   * @param replyCode the SMTP reply code, or 0 when unknown (it is then read from the text if the text starts with one)
   * @param enhancedStatus "5.1.1", or null or "" (it is then read from the text)
   * @param text the reply's text, or the Diagnostic-Code; may be null
   */
  public static FeedbackVerdict classify(int replyCode, String enhancedStatus, String text) {
    String raw = text == null ? "" : text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
    String status = enhanced(enhancedStatus);
    if (status.isEmpty()) status = enhanced(raw);
    String code = replyCode >= 200 && replyCode <= 599 ? Integer.toString(replyCode) : replyCodeIn(raw);
    FeedbackReason reason = reason(code, status, normalize(withoutContinuations(raw)));
    String diagnostic = raw.strip();
    return new FeedbackVerdict(null, classOf(reason, code, status), reason, status, code, diagnostic, "");
  }

  /** The class a reason takes given the codes: a temporary "not accepted" is soft, an unknown failure soft. */
  static FeedbackClass classOf(FeedbackReason reason, String code, String status) {
    boolean temporary = status.startsWith("4") || (status.isEmpty() && code.startsWith("4"));
    if (temporary && reason.usualClass() == FeedbackClass.HARD) return FeedbackClass.SOFT;
    return switch (reason) {
      case UNDEFINED -> code.isEmpty() && status.isEmpty() ? FeedbackClass.UNKNOWN : FeedbackClass.SOFT;
      case DELIVERED -> FeedbackClass.DELIVERED;
      default -> reason.usualClass();
    };
  }

  static FeedbackReason reason(String code, String status, String text) {
    if (status.startsWith("2") || (status.isEmpty() && code.startsWith("2"))) return DELIVERED;
    FeedbackReason byCode = byStatus(status);
    if (byCode != null && DECISIVE.contains(status)) return byCode;
    boolean temporary = status.startsWith("4") || (status.isEmpty() && code.startsWith("4"));
    FeedbackReason byWords = byWords(text);
    if (byWords != null) {
      // A host that does not resolve for now is the network's problem, not a verdict on the address.
      if (temporary && byWords == HOST_UNKNOWN) return NETWORK_ERROR;
      return byWords;
    }
    if (byCode != null) return temporary && byCode == HOST_UNKNOWN ? NETWORK_ERROR : byCode;
    for (Rule rule : vocabulary().weakRules()) {
      if (rule.pattern().matcher(text).find()) return rule.reason();
    }
    if (code.startsWith("5") || code.startsWith("4")) return ON_HOLD;
    return text.isBlank() && status.isEmpty() ? UNDEFINED : ON_HOLD;
  }

  /** The reason the first family of words that matches means, or null. */
  static FeedbackReason byWords(String text) {
    Vocabulary vocabulary = vocabulary();
    vocabulary.texts().accept(text);
    for (Rule rule : vocabulary.rules()) {
      if (rule.pattern().matcher(text).find()) return rule.reason();
    }
    return null;
  }

  static Vocabulary vocabulary() {
    return VOCABULARY.orElse(STANDARD);
  }

  /** Codes precise enough to overrule the words (the words of these replies are often generic). */
  static final List<String> DECISIVE = List.of("5.1.6", "5.1.7", "5.1.8", "5.7.23", "5.7.24", "5.7.25", "5.7.26", "5.7.27", "4.7.25",
      "4.7.26", "5.2.2", "4.2.2", "5.3.4", "5.2.3");

  /** The reason an enhanced status code means by itself (RFC 3463 and the IANA registry), or null if it says little. */
  static FeedbackReason byStatus(String status) {
    if (status.isEmpty()) return null;
    boolean temporary = status.startsWith("4");
    String detail = status.substring(status.indexOf('.') + 1);
    // Sisimai's table (smtp/status Name) where it is precise, with Herald's split of sender-side refusals.
    FeedbackReason reason = switch (detail) {
      case "1.1", "1.3" -> USER_UNKNOWN;
      case "1.0" -> temporary ? null : USER_UNKNOWN;
      // Temporary and undefined: the action (delayed) or the words say more.
      case "3.0", "4.0" -> temporary ? null : detail.equals("3.0") ? SYSTEM_ERROR : NETWORK_ERROR;
      case "1.2" -> HOST_UNKNOWN;
      case "1.4" -> FILTERED;
      case "1.6", "7.17", "7.18" -> HAS_MOVED;
      case "1.7", "1.8" -> REJECTED;
      case "1.9" -> SYSTEM_ERROR;
      case "1.10" -> NOT_ACCEPT;
      case "2.0", "2.1" -> FILTERED;
      case "2.2" -> MAILBOX_FULL;
      case "2.3" -> EXCEED_LIMIT;
      case "2.4" -> FILTERED;
      case "3.3", "3.5" -> SYSTEM_ERROR;
      case "3.1" -> SYSTEM_FULL;
      case "3.2" -> NOT_ACCEPT;
      case "3.4", "7.16" -> MESSAGE_TOO_BIG;
      case "4.2", "4.6", "4.8" -> NETWORK_ERROR;
      case "4.1", "4.7" -> EXPIRED;
      case "4.3" -> SYSTEM_ERROR;
      case "4.4" -> temporary ? NETWORK_ERROR : HOST_UNKNOWN;
      case "4.5" -> SYSTEM_FULL;
      case "5.2", "5.6" -> SYNTAX_ERROR;
      case "5.3" -> TOO_MANY_CONN;
      case "5.4", "5.5" -> SYSTEM_ERROR;
      case "7.13" -> SUSPEND;
      case "7.20", "7.21", "7.22", "7.23", "7.24", "7.26", "7.29" -> AUTH_FAILURE;
      case "7.25" -> REQUIRE_PTR;
      case "7.27" -> REJECTED;
      case "7.28" -> SPAM_DETECTED;
      case "7.30" -> FAILED_STARTTLS;
      default -> null;
    };
    if (reason != null) return reason;
    // The subject alone (RFC 3463 section 3): media, then security or policy.
    if (detail.startsWith("6.")) return CONTENT_ERROR;
    if (detail.startsWith("7.")) return SECURITY_ERROR;
    return null;
  }

  /** The first enhanced status code in {@code text}, or "". */
  static String enhanced(String text) {
    if (text == null || text.isEmpty()) return "";
    Matcher m = ENHANCED.matcher(text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text);
    return m.find() ? m.group(1) + "." + Integer.parseInt(m.group(2)) + "." + Integer.parseInt(m.group(3)) : "";
  }

  /** The first SMTP reply code in {@code text}, or "". */
  static String replyCodeIn(String text) {
    Matcher m = REPLY_CODE.matcher(text);
    return m.find() ? m.group(1) : "";
  }

  private static final Pattern CODE_PREFIX = Pattern.compile("\\b[245]\\d\\d[ -][245]\\.\\d{1,3}\\.\\d{1,3}\\b ?");

  /**
   * A multi-line reply joined into one ("550-5.7.1 Messages with multiple 550 5.7.1 addresses in From"): each line
   * after the first repeats the code and status, which would split a phrase. The later copies of the first line's
   * prefix are taken out; the first stays, as some rules read it.
   */
  static String withoutContinuations(String text) {
    Matcher m = CODE_PREFIX.matcher(text);
    if (!m.find()) return text;
    String first = m.group().substring(4).strip();
    StringBuilder out = new StringBuilder(text.length());
    int last = m.end();
    out.append(text, 0, last);
    int removed = 0;
    while (m.find() && removed < 200) {
      if (!m.group().substring(4).strip().equals(first)) continue;
      out.append(text, last, m.start());
      last = m.end();
      removed++;
    }
    return out.append(text, last, text.length()).toString();
  }

  /** Lower case, one space between words, so that wrapped lines still match a phrase. */
  static String normalize(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_TEXT));
    boolean space = false;
    for (int i = 0; i < text.length() && out.length() < MAX_TEXT; i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        space = out.length() > 0;
        continue;
      }
      if (space) out.append(' ');
      space = false;
      out.append(Character.toLowerCase(c));
    }
    return out.toString().toLowerCase(Locale.ROOT);
  }
}
