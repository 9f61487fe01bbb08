import { ConsumerGroups } from './consumer-groups';
import { EXTERNAL_INPUTS, STAGES, consumingStages, stageList } from './stages';
import { Topics, allTopics } from './topics';

describe('the stage table (stages.ts)', () => {
  const declared = new Set(allTopics().map((topic) => topic.name));

  it('names only declared topics, each once per list', () => {
    for (const stage of stageList()) {
      for (const topic of [...stage.inputs, ...stage.outputs]) expect(`${stage.name}: ${topic} ${declared.has(topic) ? 'declared' : 'undeclared'}`).toBe(`${stage.name}: ${topic} declared`);
      expect(new Set(stage.inputs).size).toBe(stage.inputs.length);
      expect(new Set(stage.outputs).size).toBe(stage.outputs.length);
    }
  });

  it('lists every stage under its own name', () => {
    for (const [key, stage] of Object.entries(STAGES)) expect(stage.name).toBe(key);
  });

  it('is in pipeline order: every input is written by an earlier stage, by the stage itself, or from outside', () => {
    const written = new Set<string>(EXTERNAL_INPUTS);
    const unwritten: string[] = [];
    for (const stage of stageList()) {
      for (const topic of stage.inputs) if (!written.has(topic) && !stage.outputs.includes(topic)) unwritten.push(`${stage.name} reads ${topic}`);
      for (const topic of stage.outputs) written.add(topic);
    }
    expect(unwritten).toEqual([]);
  });

  it('has every declared topic written by some stage or from outside', () => {
    const written = new Set([...EXTERNAL_INPUTS, ...stageList().flatMap((stage) => stage.outputs)]);
    expect([...declared].filter((topic) => !written.has(topic))).toEqual([]);
  });

  it('gives every consuming stage a distinct group, and ConsumerGroups are those groups', () => {
    const groups = consumingStages().map((stage) => stage.group);
    expect(new Set(groups).size).toBe(groups.length);
    expect(Object.values(ConsumerGroups)).toEqual(groups);
    expect(STAGES.gateway.group).toBeNull();
    expect(STAGES.gateway.inputs).toEqual([]);
  });

  it('sends every record of the contract to Postgres: the projector reads every topic of Topics', () => {
    const { raw, ...rest } = Topics;
    const contract = [...Object.values(raw), ...Object.values(rest)].map((topic) => topic.name);
    expect([...STAGES.projector.inputs].sort()).toEqual([...contract].sort());
  });

  it('matches who each topic declaration says writes it', () => {
    for (const topic of allTopics()) {
      const writers = stageList().filter((stage) => stage.outputs.includes(topic.name)).map((stage) => stage.name);
      if (topic.writtenBy === 'any consumer') expect(writers).toEqual(consumingStages().map((stage) => stage.name));
      else if (EXTERNAL_INPUTS.includes(topic.name)) expect(writers).toEqual([]);
      else expect(writers).toEqual([topic.writtenBy]);
    }
  });
});
