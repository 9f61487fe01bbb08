import 'reflect-metadata';
import { Body, Controller, HttpCode, Inject, Module, Param, Post, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientKafka, ClientsModule, Transport } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';

/**
 * Baseline (b) of issue 3: the design a NestJS team would write first. Default Express adapter, JSON body parsed by
 * Nest, and one `ClientKafka.emit` awaited per request (kafkajs acks=-1 by default), so every request waits for its
 * own produce round trip. Writes to its own topic so the stages never read its records.
 */
export const NAIVE_TOPIC = process.env.NAIVE_TOPIC || 'hookbus-bench.naive';
const KAFKA = 'KAFKA';

@Controller('webhooks')
class NaiveWebhookController implements OnModuleInit {
  constructor(@Inject(KAFKA) private readonly kafka: ClientKafka) {}

  async onModuleInit(): Promise<void> {
    await this.kafka.connect();
  }

  @Post(':sourceId')
  @HttpCode(200)
  async receive(@Param('sourceId') sourceId: string, @Body() body: Record<string, unknown>): Promise<{ ok: true }> {
    await lastValueFrom(this.kafka.emit(NAIVE_TOPIC, { key: String(body.phone ?? sourceId), value: JSON.stringify(body) }));
    return { ok: true };
  }
}

@Module({
  imports: [
    ClientsModule.register([
      {
        name: KAFKA,
        transport: Transport.KAFKA,
        options: {
          client: { clientId: 'naive-nest', brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',') },
          producerOnlyMode: true,
        },
      },
    ]),
  ],
  controllers: [NaiveWebhookController],
})
class NaiveModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(NaiveModule, { logger: ['error'] });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT || 0), '127.0.0.1');
  process.stdout.write(`listening ${await app.getUrl()}\n`);
  // Spawned by the bench with an IPC channel: its closing means the bench is gone (even SIGKILLed); do not outlive it.
  if (process.channel) {
    process.once('disconnect', () => void app.close().finally(() => process.exit(0)));
    process.channel.unref();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
