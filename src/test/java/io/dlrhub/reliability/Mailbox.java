package io.dlrhub.reliability;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.dlrhub.support.RunningHub;
import jakarta.mail.internet.MimeMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The alert mailbox: a GreenMail SMTP server on a fixed loopback port that can be stopped (the mail
 * server is down) and started again on the same port. Mails received by every incarnation are kept.
 */
final class Mailbox implements AutoCloseable {

    /** One failure line of a digest: "provider=… channel=… message_id=… … event_id=…". */
    private static final Pattern LINE = Pattern.compile("message_id=(\\S+) .*event_id=(\\S+)");

    private final int port = RunningHub.freePort();
    private final List<Mail> taken = new ArrayList<>();
    private GreenMail server;
    /** How many of the current server's mails are already in {@link #taken}. */
    private int takenFromServer;

    Mailbox() {
        start();
    }

    int port() {
        return port;
    }

    synchronized void start() {
        if (server != null) {
            return;
        }
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            GreenMail candidate = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            try {
                candidate.start();
                server = candidate;
                takenFromServer = 0;
                return;
            } catch (RuntimeException bindFailed) {
                last = new IllegalStateException("SMTP port " + port + " could not be bound", bindFailed);
                candidate.stop();
                HubProcess.sleep(500);
            }
        }
        throw last;
    }

    /** The mail server goes away: connections are refused until {@link #start()}. */
    synchronized void stop() {
        if (server != null) {
            collect();
            server.stop();
            server = null;
        }
    }

    /** Every mail received so far, by any incarnation of the server. */
    synchronized List<Mail> mails() {
        collect();
        return List.copyOf(taken);
    }

    private void collect() {
        if (server == null) {
            return;
        }
        try {
            MimeMessage[] received = server.getReceivedMessages();
            for (int i = takenFromServer; i < received.length; i++) {
                MimeMessage message = received[i];
                String body = String.valueOf(message.getContent());
                List<Line> lines = new ArrayList<>();
                for (String text : body.split("\\R")) {
                    Matcher m = LINE.matcher(text);
                    if (m.find()) {
                        lines.add(new Line(m.group(1), m.group(2), text));
                    }
                }
                taken.add(new Mail(message.getSubject(), lines));
            }
            takenFromServer = received.length;
        } catch (Exception e) {
            throw new IllegalStateException("could not read the received mails", e);
        }
    }

    record Line(String messageId, String eventId, String text) {}

    record Mail(String subject, List<Line> lines) {}

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }
}
