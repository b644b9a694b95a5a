package io.dlrhub.alert;

import java.util.Properties;

import io.dlrhub.Settings;
import io.dlrhub.observe.Metrics;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/** Binds the beans routes/sink-alert.camel.yaml uses: the digest composer and the SMTP session options. */
public class AlertConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        Settings settings = new Settings(context);
        context.getRegistry().bind("alertDigest", AlertDigest.class, new AlertDigest(Metrics.registry(context)));
        Properties smtp = new Properties();
        boolean startTls = Boolean.parseBoolean(settings.get("smtp.starttls", "false"));
        smtp.setProperty("mail.smtp.starttls.enable", String.valueOf(startTls));
        smtp.setProperty("mail.smtp.starttls.required", String.valueOf(startTls));
        smtp.setProperty("mail.smtp.auth", String.valueOf(settings.get("smtp.username", null) != null));
        String timeout = String.valueOf(settings.getLong("smtp.timeout-ms", 10_000));
        smtp.setProperty("mail.smtp.connectiontimeout", timeout);
        smtp.setProperty("mail.smtp.timeout", timeout);
        smtp.setProperty("mail.smtp.writetimeout", timeout);
        context.getRegistry().bind("smtpProperties", Properties.class, smtp);
    }
}
