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

let app: { close(): Promise<void> } | null = null;
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void (app?.close() ?? Promise.resolve()).finally(() => process.exit(0));
};
// Spawned by the bench with an IPC channel: its closing means the bench is gone (even SIGKILLed); do not outlive it.
// Listened for before anything is awaited: a bench that dies during the start must still stop this process.
if (process.channel) {
  process.once('disconnect', stop);
  process.channel.unref();
  if (!process.connected) stop();
}

async function main(): Promise<void> {
  const nest = await NestFactory.create(NaiveModule, { logger: ['error'] });
  nest.enableShutdownHooks();
  app = nest;
  await nest.listen(Number(process.env.PORT || 0), '127.0.0.1');
  // Stopped while it was starting: stop() found no app yet, or closed it before it listened.
  if (stopping) return void nest.close().finally(() => process.exit(0));
  process.stdout.write(`listening ${await nest.getUrl()}\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
