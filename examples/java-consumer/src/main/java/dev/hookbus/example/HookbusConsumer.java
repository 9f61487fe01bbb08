package dev.hookbus.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A downstream consumer of hookbus with the plain Kafka client: reads events.communications.v1 and
 * events.transitions.v1 and prints one line per event. What it shows (docs/consumers.md in the hookbus repository):
 * <ul>
 *   <li>isolation.level=read_committed: the tracker publishes transitions in Kafka transactions, an aborted batch is never seen;</li>
 *   <li>the record key is the event subject (communicationId or processKey); order holds per key only;</li>
 *   <li>duplicates happen (a provider retry, a replay, a redelivery after a crash): deduplicate by CloudEvent id;</li>
 *   <li>offsets are committed after the batch is printed (at least once), so a restart never skips an event.</li>
 * </ul>
 * Settings (environment): KAFKA_BROKERS (default 127.0.0.1:9092), GROUP_ID (default hookbus-example-java),
 * EXIT_WHEN_IDLE_MS (optional: exit 0 once no event arrived for that long after joining; for scripts and tests).
 */
public final class HookbusConsumer {
  static final List<String> TOPICS = List.of("events.communications.v1", "events.transitions.v1");

  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) {
    String brokers = env("KAFKA_BROKERS", "127.0.0.1:9092");
    String groupId = env("GROUP_ID", "hookbus-example-java");
    long exitWhenIdleMs = Long.parseLong(env("EXIT_WHEN_IDLE_MS", "0"));

    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "hookbus-example-java");
    // hookbus' tracker writes transitions in Kafka transactions: read only committed ones (the client's default is uncommitted).
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // A new group starts at the beginning of the topics' retention (14 days); an existing one where it committed.
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Commit by hand, after the batch is handled: at least once.
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());

    // Event ids already handled. In memory here; a real consumer keeps them where its effect lands, in the same
    // transaction (a unique key on event_id in its database), so a duplicate after a restart is caught too.
    Set<String> seen = new HashSet<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      Thread main = Thread.currentThread();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        consumer.wakeup();
        try {
          main.join(10_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
      long[] lastActivity = {Long.MAX_VALUE};
      consumer.subscribe(TOPICS, new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          lastActivity[0] = System.currentTimeMillis();
        }
      });
      while (true) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<String, String> record : records) {
          handle(record, seen);
        }
        if (!records.isEmpty()) {
          consumer.commitSync();
          lastActivity[0] = System.currentTimeMillis();
        } else if (exitWhenIdleMs > 0 && System.currentTimeMillis() - lastActivity[0] >= exitWhenIdleMs) {
          break;
        }
      }
    } catch (WakeupException stopping) {
      // SIGINT or SIGTERM: the consumer closes (leaving its group) as the try block ends.
    }
  }

  /** Decodes one record and prints its line, or says on stderr why it was skipped. */
  static void handle(ConsumerRecord<String, String> record, Set<String> seen) {
    String where = record.topic() + " p" + record.partition() + "@" + record.offset();
    JsonNode event;
    try {
      event = record.value() == null ? null : JSON.readTree(record.value());
    } catch (Exception e) {
      event = null;
    }
    if (event == null || !event.isObject() || !"1.0".equals(event.path("specversion").asText())) {
      System.err.println(where + " skipped: not a CloudEvents 1.0 JSON object");
      return;
    }
    String id = event.path("id").asText("");
    String type = event.path("type").asText("");
    String subject = event.path("subject").asText("");
    if (id.isEmpty() || !subject.equals(record.key())) {
      System.err.println(where + " skipped: no id, or the key differs from the subject");
      return;
    }
    if (!type.equals("hookbus.communication.status") && !type.equals("hookbus.transition")) {
      // A type added to the contract after this consumer was written: skip it, do not fail.
      System.err.println(where + " skipped: unknown type " + type);
      return;
    }
    if (!seen.add(id)) {
      System.err.println(where + " duplicate of id=" + id + ": skipped");
      return;
    }
    System.out.println(where + " " + type + " " + subject + " " + describe(type, subject, event.path("data")) + " id=" + id);
  }

  /** What the event says, in the same words as the Node example. */
  static String describe(String type, String subject, JsonNode data) {
    String about = identity(subject);
    if (type.equals("hookbus.communication.status")) {
      return about + " status=" + data.path("status").asText() + (data.path("final").asBoolean() ? " (final)" : "");
    }
    String from = data.path("from").isNull() ? "(new)" : data.path("from").asText();
    String reason = data.path("reason").isTextual() ? " reason=" + data.path("reason").asText() : "";
    return about + " " + from + " -> " + data.path("to").asText() + (data.path("requiresAction").asBoolean() ? " (requires action)" : "") + reason;
  }

  /**
   * communicationId: credas:{ProcessId}:{processActorId}:{sms|email} or octapush:{sms|viber}:{messageKey};
   * processKey: credas:{ProcessId}, authvia:{businessProcessId}, cellosign:{session.id} (docs/contract.md §4).
   */
  static String identity(String key) {
    if (key.matches("credas:[^:]+:[^:]+:(sms|email)")) return "communication/credas";
    if (key.matches("octapush:(sms|viber):.+")) return "communication/octapush";
    if (key.matches("(credas|authvia):[^:]+")) return "process/" + key.substring(0, key.indexOf(':'));
    if (key.matches("cellosign:.+")) return "process/cellosign";
    return "unknown-identity";
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }

  private HookbusConsumer() {}
}
