//! The trait objects a plugin hands to the host.
//!
//! Ownership: the instance and its provider/discovery objects are shared (`RArc`), streams and
//! pending calls are owned by the caller (`RBox`) so dropping them cancels the work.

use abi_stable::{
    sabi_trait,
    std_types::{RArc, RBox, ROption, RResult, RString},
};

use crate::chat::{ChatRequest, ReplayPolicy, ThinkingProfile};
use crate::embedding::{EmbeddingProviderInfo, EmbeddingProviderRequest};
use crate::error::{ErrorClassification, PluginError};
use crate::hooks::PayloadHookBox;
use crate::host::ConfigUpdate;
use crate::model::ModelDefinition;
use crate::poll::{
    FfiWaker, PendingCatalog_TO, PendingDoctor_TO, PendingEmbeddings_TO, PendingTokenCount_TO,
    StreamBatch,
};
use crate::status::PluginStatus;

/// A streamed chat response. Dropping it aborts the HTTP request inside the plugin.
#[sabi_trait]
pub trait ChatStream: Send {
    /// Takes up to `max_events` ready events. An empty, unfinished batch means pending: the
    /// plugin wakes `waker` when more arrive.
    fn poll_events(&mut self, waker: &FfiWaker, max_events: u32) -> StreamBatch;

    /// Aborts the request now; the stream then ends with an `aborted` error (EVT-31).
    #[sabi(last_prefix_field)]
    fn cancel(&mut self);
}

/// An owned [`ChatStream`], as [`ChatProvider::stream_chat`] returns it.
pub type ChatStreamBox = ChatStream_TO<'static, RBox<()>>;
/// An owned [`PendingCatalog`](crate::poll::PendingCatalog), as
/// [`DiscoveryService::list_models`] returns it.
pub type PendingCatalogBox = PendingCatalog_TO<'static, RBox<()>>;
/// An owned [`PendingEmbeddings`](crate::poll::PendingEmbeddings), as the
/// [`EmbeddingProvider`] methods return it.
pub type PendingEmbeddingsBox = PendingEmbeddings_TO<'static, RBox<()>>;
/// An owned [`PendingTokenCount`](crate::poll::PendingTokenCount), as
/// [`ChatProvider::count_tokens`] returns it.
pub type PendingTokenCountBox = PendingTokenCount_TO<'static, RBox<()>>;
/// An owned [`PendingDoctor`](crate::poll::PendingDoctor), as [`PluginInstance::doctor`]
/// returns it.
pub type PendingDoctorBox = PendingDoctor_TO<'static, RBox<()>>;

/// The chat provider (`amazon-bedrock` on api `bedrock-converse-stream`) and its host hooks.
#[sabi_trait]
pub trait ChatProvider: Send + Sync + Clone {
    /// The provider id requests name in [`ModelDefinition::provider`] (`amazon-bedrock`).
    fn provider_id(&self) -> RString;

    /// The model API it serves, as in [`ModelDefinition::api`] (`bedrock-converse-stream`).
    fn api(&self) -> RString;

    /// Starts a streamed chat. A request that cannot be sent as given (unsupported api, bad
    /// tool name, media type, history shape) fails here, synchronously; everything that needs
    /// I/O (credentials, the service's answer) arrives as the stream's terminal `Error` event.
    fn stream_chat(&self, request: ChatRequest) -> RResult<ChatStreamBox, PluginError>;

    /// Counts input tokens for a request (BR-50).
    fn count_tokens(&self, request: ChatRequest) -> PendingTokenCountBox;

    /// Thinking levels the model offers and its default (THINK-20).
    fn thinking_profile(&self, model: &ModelDefinition) -> ThinkingProfile;

    /// History sanitising the host should apply before replaying to this model (THINK-22).
    fn replay_policy(&self, model: &ModelDefinition) -> ROption<ReplayPolicy>;

    /// Failover and context-overflow classification of an error (ERR-10, ERR-20).
    fn classify_error(&self, error: &PluginError) -> ErrorClassification;

    /// The auth marker name for an explicit provider entry, without I/O (AUTH-22).
    fn auth_marker(&self) -> ROption<RString>;

    /// Fills model facts the host may lack (thinking map, reasoning flag; THINK-13).
    #[sabi(last_prefix_field)]
    fn normalize_model(&self, model: ModelDefinition) -> ModelDefinition;

    /// [`stream_chat`](Self::stream_chat) with the host's payload hook (REQ-03): `hook` sees
    /// the final payload of every send, after all of the plugin's patches, and may replace it
    /// or fail the request (see [`PayloadHook`](crate::hooks::PayloadHook)).
    ///
    /// Appended in 0.2.1. A provider that does not implement it (and an object of a library
    /// built before it) answers with this default: an `Unsupported` error with the message
    /// [`PAYLOAD_HOOK_UNSUPPORTED`](crate::hooks::PAYLOAD_HOOK_UNSUPPORTED), so the host can
    /// fall back to `stream_chat` or tell the user.
    fn stream_chat_with_payload_hook(
        &self,
        request: ChatRequest,
        hook: PayloadHookBox,
    ) -> RResult<ChatStreamBox, PluginError> {
        let _ = (request, hook);
        RResult::RErr(PluginError::new(
            crate::error::ErrorKind::Unsupported,
            crate::hooks::PAYLOAD_HOOK_UNSUPPORTED,
        ))
    }
}

/// A shared [`ChatProvider`], as [`PluginInstance::chat_provider`] returns it.
pub type ChatProviderBox = ChatProvider_TO<'static, RArc<()>>;

/// Options of one catalog request.
#[repr(C)]
#[derive(abi_stable::StableAbi, Debug, Clone, PartialEq, Default)]
pub struct ListModelsOptions {
    /// Strict (live catalog): failures propagate and an empty list is still a provider.
    /// Non-strict (startup): failures are logged and yield no provider (DISC-03).
    pub strict: bool,
    /// Ignore a cached answer and ask the control plane now.
    pub force_refresh: bool,
    /// Options of later interface versions (growth path, see [`crate::ext`]).
    pub extensions: crate::ext::Extensions,
}

impl ListModelsOptions {
    /// [`keys::LIST_INCLUDE_UNAVAILABLE`](crate::ext::keys::LIST_INCLUDE_UNAVAILABLE): whether
    /// the caller wants the models the account cannot call as well.
    pub fn include_unavailable(&self) -> bool {
        self.extensions
            .flag(crate::ext::keys::LIST_INCLUDE_UNAVAILABLE)
            .unwrap_or(false)
    }
}

/// Model discovery and the provider's catalog.
#[sabi_trait]
pub trait DiscoveryService: Send + Sync + Clone {
    /// The provider with its models. A non-strict run that finds nothing (or fails) returns an
    /// empty model list, which the host treats as "no implicit provider" (DISC-03).
    fn list_models(&self, options: ListModelsOptions) -> PendingCatalogBox;

    /// Status for `status`/doctor surfaces; reads cached state only, never the network.
    #[sabi(last_prefix_field)]
    fn status(&self) -> PluginStatus;
}

/// A shared [`DiscoveryService`], as [`PluginInstance::discovery`] returns it.
pub type DiscoveryServiceBox = DiscoveryService_TO<'static, RArc<()>>;

/// An embedding provider bound to one model and dimension (EMB-03).
#[sabi_trait]
pub trait EmbeddingProvider: Send + Sync + Clone {
    /// The provider's identity, model and limits.
    fn info(&self) -> EmbeddingProviderInfo;

    /// Embeds a search query (EMB-24).
    fn embed_query(&self, text: RString) -> PendingEmbeddingsBox;

    /// Embeds documents; output order equals input order (EMB-25).
    #[sabi(last_prefix_field)]
    fn embed_batch(&self, texts: abi_stable::std_types::RVec<RString>) -> PendingEmbeddingsBox;
}

/// A shared [`EmbeddingProvider`], as [`PluginInstance::embedding_provider`] returns it.
pub type EmbeddingProviderBox = EmbeddingProvider_TO<'static, RArc<()>>;

/// One configured plugin instance.
#[sabi_trait]
pub trait PluginInstance: Send + Sync {
    /// The instance's chat provider (one per instance; clones share it).
    fn chat_provider(&self) -> ChatProviderBox;

    /// The instance's model discovery and catalog.
    fn discovery(&self) -> DiscoveryServiceBox;

    /// The embedding provider for a model, or `None` when this plugin offers none for it.
    fn embedding_provider(
        &self,
        request: EmbeddingProviderRequest,
    ) -> RResult<ROption<EmbeddingProviderBox>, PluginError>;

    /// Replaces the config live; in-flight requests keep the config they started with.
    fn update_config(&self, update: ConfigUpdate) -> RResult<(), PluginError>;

    /// Runs the doctor checks (BR-30..32).
    #[sabi(last_prefix_field)]
    fn doctor(&self) -> PendingDoctorBox;
}

/// An owned [`PluginInstance`], as the root module's `new_instance` returns it. Build one with
/// `PluginInstance_TO::from_value(instance, TD_Opaque)`.
pub type PluginInstanceBox = PluginInstance_TO<'static, RBox<()>>;
