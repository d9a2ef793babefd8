/**
 * Mail: the value types of email that every capability shares. {@link dev.herald.mail.EmailAddress}
 * parses and normalizes an address (RFC 5321/6531, IDNA 2008 / UTS #46 domains) and gives its
 * de-duplication key; {@link dev.herald.mail.AddressDigest} hashes that key for the suppression list
 * and erasures. Audiences (subscribers, imports), suppression, and later the MTA (RCPT TO), the relay
 * and bounce parsing all read addresses through these, so they agree on what one address is.
 *
 * <p>Open: any capability may use it. It depends on no other capability and holds no beans, no state
 * and no I/O, only values and pure functions, so that even platform could use it without a cycle.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Mail", type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package dev.herald.mail;
