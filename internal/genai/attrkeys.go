package genai // import "github.com/precogxai/precogx-otel/internal/genai"

// attrKey is an attribute the conversion reads. A span's (or resource's)
// attributes are read once, in one pass, into slots by key, so that the
// rules' many lookups in precedence order cost an index each rather than a
// scan of the attributes each.
type attrKey uint8

const (
	// content
	kGenAISystem attrKey = iota
	kGenAIProviderName
	kGenAIInputMessages
	kGenAIOutputMessages
	kGenAISystemInstructions
	kLLMPrompts
	kAIPromptMessages
	kAIPrompt
	kAIResponseFinishReason
	kAIResponseText
	kAIResponseObject
	kAIResponseReasoning
	kAIResponseReasoningText
	kAIResponseToolCalls
	kGCPVertexAgentLLMRequest
	kGCPVertexAgentLLMResponse
	kPydanticAIAllMessages
	kAllMessagesEvents
	kFinalResult
	kEvents
	kLangfuseObservationInput
	kLangfuseObservationOutput
	kGenAIPrompt
	kGenAICompletion
	kMLflowSpanInputs
	kMLflowSpanOutputs
	kTraceloopEntityInput
	kTraceloopEntityOutput
	kInputValue
	kOutputValue

	// model (R9)
	kGenAIResponseModel
	kGenAIRequestModel
	kLLMResponseModelName
	kLLMModelName
	kLLMRequestModelName
	kAIResponseModel
	kAIModelID
	kLangfuseObservationModelName
	kMLflowLLMModel
	kEmbeddingModelName

	// provider (R10)
	kLLMProvider
	kLLMSystem
	kAIModelProvider
	kMLflowLLMProvider

	// session (R7)
	kGenAIConversationID
	kSessionID
	kLangfuseSessionID
	kTraceloopAssociationPropertiesSessionID
	kTraceloopAssociationPropertiesConversationID
	kTraceloopAssociationPropertiesThreadID
	kAITelemetryMetadataSessionID
	kAITelemetryMetadataConversationID
	kAITelemetryMetadataThreadID
	kLangsmithMetadataSessionID
	kLangsmithMetadataThreadID
	kLangsmithMetadataConversationID
	kGCPVertexAgentSessionID
	kSpringAIChatClientConversationID

	// user (R8)
	kUserID
	kLangfuseUserID
	kTraceloopAssociationPropertiesUserID
	kAITelemetryMetadataUserID
	kLangsmithMetadataUserID
	kEnduserID
	kGenAIUser
	kLLMUser

	// tokens (R11)
	kGenAIUsageInputTokens
	kLLMTokenCountPrompt
	kGenAIUsagePromptTokens
	kAIUsageInputTokens
	kAIUsagePromptTokens
	kGenAIUsageOutputTokens
	kLLMTokenCountCompletion
	kGenAIUsageCompletionTokens
	kAIUsageOutputTokens
	kAIUsageCompletionTokens
	kGenAIUsageTotalTokens
	kLLMUsageTotalTokens
	kLLMTokenCountTotal
	kAIUsageTotalTokens
	kLangfuseObservationUsageDetails
	kMLflowChatTokenUsage

	// finish reasons, request settings
	kGenAIResponseFinishReasons
	kLLMFinishReason
	kLLMInvocationParameters
	kLangfuseObservationModelParameters
	kGenAIRequestTemperature
	kAISettingsTemperature
	kGenAIRequestMaxTokens
	kAISettingsMaxOutputTokens
	kAISettingsMaxTokens

	// agent (R6), errors
	kGenAIAgentName
	kAgentName
	kAgentNameFlat
	kTraceloopSpanKind
	kTraceloopEntityName
	kAITelemetryFunctionID
	kGraphNodeName
	kErrorType

	// resource
	kDeploymentEnvironmentName
	kDeploymentEnvironment
	kServiceName
	kServiceVersion
	kGenAIMainAgentName

	// tools (R5)
	kGenAIToolName
	kToolName
	kAIToolCallName
	kSpringAIToolDefinitionName
	kGenAIToolCallID
	kToolID
	kToolCallID
	kAIToolCallID
	kSpringAIToolCallID
	kGenAIToolCallArguments
	kGenAIToolCallResult
	kAIToolCallArgs
	kAIToolCallResult
	kAIToolCallInput
	kAIToolCallOutput
	kToolArguments
	kToolResponse
	kSpringAIToolCallArguments
	kSpringAIToolCallResult
	kGCPVertexAgentToolCallArgs
	kGCPVertexAgentToolResponse
	kSpringAIKind

	numAttrKeys
)

// attrNames are the attribute names of the keys.
var attrNames = [numAttrKeys]string{
	kGenAISystem:                             "gen_ai.system",
	kGenAIProviderName:                       "gen_ai.provider.name",
	kGenAIInputMessages:                      "gen_ai.input.messages",
	kGenAIOutputMessages:                     "gen_ai.output.messages",
	kGenAISystemInstructions:                 "gen_ai.system_instructions",
	kLLMPrompts:                              "llm.prompts",
	kAIPromptMessages:                        "ai.prompt.messages",
	kAIPrompt:                                "ai.prompt",
	kAIResponseFinishReason:                  "ai.response.finishReason",
	kAIResponseText:                          "ai.response.text",
	kAIResponseObject:                        "ai.response.object",
	kAIResponseReasoning:                     "ai.response.reasoning",
	kAIResponseReasoningText:                 "ai.response.reasoningText",
	kAIResponseToolCalls:                     "ai.response.toolCalls",
	kGCPVertexAgentLLMRequest:                "gcp.vertex.agent.llm_request",
	kGCPVertexAgentLLMResponse:               "gcp.vertex.agent.llm_response",
	kPydanticAIAllMessages:                   "pydantic_ai.all_messages",
	kAllMessagesEvents:                       "all_messages_events",
	kFinalResult:                             "final_result",
	kEvents:                                  "events",
	kLangfuseObservationInput:                "langfuse.observation.input",
	kLangfuseObservationOutput:               "langfuse.observation.output",
	kGenAIPrompt:                             "gen_ai.prompt",
	kGenAICompletion:                         "gen_ai.completion",
	kMLflowSpanInputs:                        "mlflow.spanInputs",
	kMLflowSpanOutputs:                       "mlflow.spanOutputs",
	kTraceloopEntityInput:                    "traceloop.entity.input",
	kTraceloopEntityOutput:                   "traceloop.entity.output",
	kInputValue:                              "input.value",
	kOutputValue:                             "output.value",
	kGenAIResponseModel:                      "gen_ai.response.model",
	kGenAIRequestModel:                       "gen_ai.request.model",
	kLLMResponseModelName:                    "llm.response.model_name",
	kLLMModelName:                            "llm.model_name",
	kLLMRequestModelName:                     "llm.request.model_name",
	kAIResponseModel:                         "ai.response.model",
	kAIModelID:                               "ai.model.id",
	kLangfuseObservationModelName:            "langfuse.observation.model.name",
	kMLflowLLMModel:                          "mlflow.llm.model",
	kEmbeddingModelName:                      "embedding.model_name",
	kLLMProvider:                             "llm.provider",
	kLLMSystem:                               "llm.system",
	kAIModelProvider:                         "ai.model.provider",
	kMLflowLLMProvider:                       "mlflow.llm.provider",
	kGenAIConversationID:                     "gen_ai.conversation.id",
	kSessionID:                               "session.id",
	kLangfuseSessionID:                       "langfuse.session.id",
	kTraceloopAssociationPropertiesSessionID: "traceloop.association.properties.session_id",
	kTraceloopAssociationPropertiesConversationID: "traceloop.association.properties.conversation_id",
	kTraceloopAssociationPropertiesThreadID:       "traceloop.association.properties.thread_id",
	kAITelemetryMetadataSessionID:                 "ai.telemetry.metadata.sessionId",
	kAITelemetryMetadataConversationID:            "ai.telemetry.metadata.conversationId",
	kAITelemetryMetadataThreadID:                  "ai.telemetry.metadata.threadId",
	kLangsmithMetadataSessionID:                   "langsmith.metadata.session_id",
	kLangsmithMetadataThreadID:                    "langsmith.metadata.thread_id",
	kLangsmithMetadataConversationID:              "langsmith.metadata.conversation_id",
	kGCPVertexAgentSessionID:                      "gcp.vertex.agent.session_id",
	kSpringAIChatClientConversationID:             "spring.ai.chat.client.conversation.id",
	kUserID:                                       "user.id",
	kLangfuseUserID:                               "langfuse.user.id",
	kTraceloopAssociationPropertiesUserID:         "traceloop.association.properties.user_id",
	kAITelemetryMetadataUserID:                    "ai.telemetry.metadata.userId",
	kLangsmithMetadataUserID:                      "langsmith.metadata.user_id",
	kEnduserID:                                    "enduser.id",
	kGenAIUser:                                    "gen_ai.user",
	kLLMUser:                                      "llm.user",
	kGenAIUsageInputTokens:                        "gen_ai.usage.input_tokens",
	kLLMTokenCountPrompt:                          "llm.token_count.prompt",
	kGenAIUsagePromptTokens:                       "gen_ai.usage.prompt_tokens",
	kAIUsageInputTokens:                           "ai.usage.inputTokens",
	kAIUsagePromptTokens:                          "ai.usage.promptTokens",
	kGenAIUsageOutputTokens:                       "gen_ai.usage.output_tokens",
	kLLMTokenCountCompletion:                      "llm.token_count.completion",
	kGenAIUsageCompletionTokens:                   "gen_ai.usage.completion_tokens",
	kAIUsageOutputTokens:                          "ai.usage.outputTokens",
	kAIUsageCompletionTokens:                      "ai.usage.completionTokens",
	kGenAIUsageTotalTokens:                        "gen_ai.usage.total_tokens",
	kLLMUsageTotalTokens:                          "llm.usage.total_tokens",
	kLLMTokenCountTotal:                           "llm.token_count.total",
	kAIUsageTotalTokens:                           "ai.usage.totalTokens",
	kLangfuseObservationUsageDetails:              "langfuse.observation.usage_details",
	kMLflowChatTokenUsage:                         "mlflow.chat.tokenUsage",
	kGenAIResponseFinishReasons:                   "gen_ai.response.finish_reasons",
	kLLMFinishReason:                              "llm.finish_reason",
	kLLMInvocationParameters:                      "llm.invocation_parameters",
	kLangfuseObservationModelParameters:           "langfuse.observation.model.parameters",
	kGenAIRequestTemperature:                      "gen_ai.request.temperature",
	kAISettingsTemperature:                        "ai.settings.temperature",
	kGenAIRequestMaxTokens:                        "gen_ai.request.max_tokens",
	kAISettingsMaxOutputTokens:                    "ai.settings.maxOutputTokens",
	kAISettingsMaxTokens:                          "ai.settings.maxTokens",
	kGenAIAgentName:                               "gen_ai.agent.name",
	kAgentName:                                    "agent.name",
	kAgentNameFlat:                                "agent_name",
	kTraceloopSpanKind:                            "traceloop.span.kind",
	kTraceloopEntityName:                          "traceloop.entity.name",
	kAITelemetryFunctionID:                        "ai.telemetry.functionId",
	kGraphNodeName:                                "graph.node.name",
	kErrorType:                                    "error.type",
	kDeploymentEnvironmentName:                    "deployment.environment.name",
	kDeploymentEnvironment:                        "deployment.environment",
	kServiceName:                                  "service.name",
	kServiceVersion:                               "service.version",
	kGenAIMainAgentName:                           "gen_ai.main_agent.name",
	kGenAIToolName:                                "gen_ai.tool.name",
	kToolName:                                     "tool.name",
	kAIToolCallName:                               "ai.toolCall.name",
	kSpringAIToolDefinitionName:                   "spring.ai.tool.definition.name",
	kGenAIToolCallID:                              "gen_ai.tool.call.id",
	kToolID:                                       "tool.id",
	kToolCallID:                                   "tool_call.id",
	kAIToolCallID:                                 "ai.toolCall.id",
	kSpringAIToolCallID:                           "spring.ai.tool.call.id",
	kGenAIToolCallArguments:                       "gen_ai.tool.call.arguments",
	kGenAIToolCallResult:                          "gen_ai.tool.call.result",
	kAIToolCallArgs:                               "ai.toolCall.args",
	kAIToolCallResult:                             "ai.toolCall.result",
	kAIToolCallInput:                              "ai.toolCall.input",
	kAIToolCallOutput:                             "ai.toolCall.output",
	kToolArguments:                                "tool_arguments",
	kToolResponse:                                 "tool_response",
	kSpringAIToolCallArguments:                    "spring.ai.tool.call.arguments",
	kSpringAIToolCallResult:                       "spring.ai.tool.call.result",
	kGCPVertexAgentToolCallArgs:                   "gcp.vertex.agent.tool_call_args",
	kGCPVertexAgentToolResponse:                   "gcp.vertex.agent.tool_response",
	kSpringAIKind:                                 "spring.ai.kind",
}

// attrKeyOf finds a key by attribute name.
var attrKeyOf = func() map[string]attrKey {
	m := make(map[string]attrKey, numAttrKeys)
	for k, name := range attrNames {
		m[name] = attrKey(k)
	}
	return m
}()
